/**
 * summary.transport.unitClusters: the cluster sizes at a fixed physical scale (spheres per 1 mg
 * piece of tissue, issue 14 point 1). UNIT TEST of the wiring and of the bookkeeping (true by
 * construction, not a validation): every lodged sphere is in exactly one piece, the histogram is
 * the one transport/clusters.ts unitClusterHistogram gives, and models without a sub-terminal
 * cascade report null. Its resolution independence is measured by bench/transport-resolution.ts
 * (12.8 spheres per occupied 1 mg piece at 4,000–120,000 terminals; bench/transport.md).
 */
import { describe, expect, it } from "vitest";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore, subTerminalOf } from "../../src/pipeline/core.js";
import { depositLodgedSpheresParallel } from "../../src/pipeline/simulate.js";
import { withPool } from "../../src/parallel/withPool.js";
import { unitClusterHistogram } from "../../src/transport/clusters.js";
import { finishSimulation, unitClustersOf, type UnitClusterSummary } from "../../src/pipeline/finish.js";
import { smallCase } from "./smallCase.js";

describe("summary.transport.unitClusters", () => {
  it("holds every lodged sphere once, as unitClusterHistogram counts them (fractal); null without a sub-terminal cascade (flow)", async () => {
    for (const model of ["fractal", "flow"]) {
      const simCase = loadSimulationCase(smallCase({ tree: { terminals: 3000, seed: 3 }, transport: { embolic: { enabled: false }, heterogeneity: { model } } }));
      const core = simulateCore(simCase);
      if (model === "flow") {
        expect(unitClustersOf(simCase, core)).toBeNull();
        continue;
      }
      const part = depositLodgedSpheres(simCase, core);
      const { summary } = await finishSimulation(simCase, core, part.counts, part.outsideGrid, {}, part.unitClusters ?? null);
      const unit = summary.transport.unitClusters as UnitClusterSummary | null;
      if (unit === null) throw new Error("fractal: unitClusters expected");
      expect(unit.unitMassMg).toBe(1);
      let lodged = 0;
      for (const n of core.transport.segmentLodged) lodged += n;
      let spheres = 0;
      for (let i = 0; i < unit.spheresPerPiece.length; i++) {
        if (i > 0) expect(unit.spheresPerPiece[i]).toBeGreaterThan(unit.spheresPerPiece[i - 1]);
        expect(unit.pieces[i]).toBeGreaterThan(0);
        spheres += unit.spheresPerPiece[i] * unit.pieces[i];
      }
      expect(spheres).toBe(lodged);
      // JSON-safe (summary.json): plain arrays of numbers and a string.
      expect(JSON.parse(JSON.stringify(unit))).toEqual(unit);
      // The deposit tallies the same pieces as the replay of the cascade (finishSimulation without the
      // deposit's tally, as after `merge`), inline and on a 2-worker pool (dist/ workers).
      const replayed = unitClusterHistogram(core.tree, core.transport.segmentLodged, simCase.seed, subTerminalOf(core, simCase.domain).subTerminal!, subTerminalOf(core, simCase.domain).territoryCells);
      expect(part.unitClusters).toEqual(replayed);
      const { summary: fromReplay } = await finishSimulation(simCase, core, part.counts, part.outsideGrid, {}, null);
      expect(fromReplay.transport.unitClusters).toEqual(unit);
      const pooled = await withPool(2, (pool) => depositLodgedSpheresParallel(simCase, core, pool));
      expect(pooled.unitClusters).toEqual(replayed);
      // A shard's part has no tally of the whole run.
      expect(depositLodgedSpheres(simCase, core, { index: 0, count: 2 }).unitClusters ?? null).toBeNull();
    }
  });
});

/**
 * Unit tests (true by construction, not validation): the sphere positions a bench or study reads
 * through src/pipeline/core.ts forEachPlacedSphereChunk, with the run's spherePlacement, are the
 * positions `sirtsim simulate` deposits — binned on the dose grid they give depositLodgedSpheres's
 * count grid exactly, with uniform territories ("flow") and with the sub-terminal cascade
 * ("fractal"). bench/validation*.ts rely on this to describe the engine's own model.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { numericCase } from "../../playground/build.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { depositLodgedSpheres, forEachPlacedSphereChunk, runPlacement, simulateCore } from "../../src/pipeline/core.js";
import { doseGridGeometry, emptyGrid } from "../../src/pipeline/doseStage.js";
import { countSpheresInGrid } from "../../src/dose/activity.js";

describe("forEachPlacedSphereChunk", () => {
  it("places the spheres exactly where depositLodgedSpheres puts them, flow and fractal", () => {
    const base = numericCase(JSON.parse(readFileSync(new URL("../../fixtures/cases/glass-segmentectomy.json", import.meta.url), "utf8")), "glass-segmentectomy.json");
    for (const heterogeneity of ["flow", "fractal"]) {
      const json = { ...base, tree: { ...(base.tree as object), terminals: 5000 }, dose: { ...(base.dose as object), voxelMm: 4 }, injection: { ...(base.injection as object), entryPoint: "right-hepatic" }, transport: { ...(base.transport as object), heterogeneity: { model: heterogeneity } } };
      const simCase = loadSimulationCase(json, "test case");
      const core = simulateCore(simCase);
      const deposit = depositLodgedSpheres(simCase, core);
      const placement = runPlacement(core, simCase.domain);
      expect(placement.accept).not.toBeNull();
      expect(placement.subTerminal === null, heterogeneity).toBe(heterogeneity !== "fractal");
      expect(placement.territoryCells === null, heterogeneity).toBe(heterogeneity !== "fractal");
      const counts = emptyGrid(doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm), (n) => new Float64Array(n));
      let outside = 0;
      let placed = 0;
      // A small chunk size: positions must not depend on it.
      forEachPlacedSphereChunk(core.tree, core.transport.segmentLodged, simCase.seed, placement, (chunk) => {
        outside += countSpheresInGrid(counts, chunk.positionsMm);
        placed += chunk.count;
      }, 1000);
      expect(placed).toBeGreaterThan(0);
      expect(outside).toBe(deposit.outsideGrid);
      expect(Buffer.from(counts.data.buffer).equals(Buffer.from(deposit.counts.data.buffer)), heterogeneity).toBe(true);
    }
  });
});

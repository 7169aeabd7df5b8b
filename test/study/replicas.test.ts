/** `simulate --replicas N` (src/study/replicas.ts): the uncertainty block and the report columns. */
import { describe, expect, it } from "vitest";
import { createPool } from "../../src/parallel/pool.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { replicaUncertainty, withUncertainty } from "../../src/study/replicas.js";
import { simulateRun } from "../../src/study/runner.js";
import { tinyCase } from "./tinyStudy.js";

describe("replicaUncertainty", () => {
  it("replicaUncertainty(first, 2) runs replica 1 with tree seed and seed + 1 and gives each VOI's statistics of both runs (unit test)", async () => {
    const caseJson = tinyCase();
    const pool = createPool({ workers: 1 });
    const first = await simulateRun(loadSimulationCase(caseJson, "tiny.json"), pool);
    const second = await simulateRun(loadSimulationCase({ ...caseJson, seed: 12, tree: { terminals: 1000, seed: 4 } }, "tiny.json"), pool);
    const u = await replicaUncertainty(first, 2, { caseJson, casePath: "tiny.json", pool });
    expect(u.runs).toEqual([
      { treeSeed: 3, seed: 11 },
      { treeSeed: 4, seed: 12 },
    ]);
    for (const voi of ["right", "left", "normal"]) {
      const a = first.summary.compartments[voi].meanDoseGy;
      const b = second.summary.compartments[voi].meanDoseGy;
      expect(u.compartments[voi].meanDoseGy.n).toBe(2);
      expect(u.compartments[voi].meanDoseGy.mean).toBeCloseTo((a + b) / 2, 12);
      // Sample sd (n − 1) of two values: |a − b|/√2 (was only checked to be ≥ 0, which cannot fail).
      const d70 = [first.summary.compartments[voi].D70Gy, second.summary.compartments[voi].D70Gy];
      expect(u.compartments[voi].D70Gy.sd).toBeCloseTo(Math.abs(d70[0] - d70[1]) / Math.SQRT2, 10);
    }
    // A different tree and seed give a different dose: the band is not empty.
    expect(u.compartments.right.meanDoseGy.sd).toBeGreaterThan(0);
    const withU = withUncertainty(first, u);
    expect((withU.summary as unknown as { uncertainty: unknown }).uncertainty).toBe(u);
    expect(withU.report.metrics.columns.at(-4)).toContain("95 % prediction over 2 replicas");
    expect(withU.report.metrics.rows.every((r) => r.length === withU.report.metrics.columns.length)).toBe(true);
    // TCP of the tumours and NTCP of the normal liver get the same statistics (src/dose/outcome.ts).
    for (const [voi, name] of [["right", "radiobiology.tcp"], ["normal", "radiobiology.ntcp"]] as const) {
      const key = name.slice("radiobiology.".length) as "tcp" | "ntcp";
      const values = [first.summary.compartments[voi].radiobiology![key]!, second.summary.compartments[voi].radiobiology![key]!];
      expect(u.compartments[voi][name].n).toBe(2);
      expect(u.compartments[voi][name].mean).toBeCloseTo((values[0] + values[1]) / 2, 12);
    }
    expect(u.compartments.right["radiobiology.ntcp"]).toBeUndefined();
    const tcpCell = withU.report.metrics.rows.find((r) => r[0] === "right")!.at(-1);
    expect(String(tcpCell)).toMatch(/^TCP (\d|n\/a)/);
    await pool.destroy();
  });
});

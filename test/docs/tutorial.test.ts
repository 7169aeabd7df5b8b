/**
 * docs/tutorial.md says what the commands print (issue 15.3):
 * 1. every measured part of the page (between `<!-- doc-numbers:NAME -->` markers) is the
 *    rendering (scripts/tutorialText.ts) of the full-size runs scripts/doc-numbers.ts recorded in
 *    docs/numbers.json — text against the recorded runs;
 * 2. every observation the page draws holds on a fresh run of the same cases with a small tree
 *    (4,000 terminals; the embolic capacity comes from geometry, per mL of tissue), so a change to
 *    the engine that breaks a statement fails here even before docs/numbers.json is regenerated.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { depositLodgedSpheres, finishSimulation, loadSimulationCase, resolvePlan, simulateCore } from "../../src/index.js";
import type { SimulationCore, SimulationSummary } from "../../src/index.js";
import { partOf, renderTutorialParts, type DocNumbers } from "../../scripts/tutorialText.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tutorial = readFileSync(`${root}docs/tutorial.md`, "utf8");
const fixture = (name: string) => JSON.parse(readFileSync(`${root}fixtures/cases/${name}`, "utf8")) as Record<string, unknown>;
const numbers = JSON.parse(readFileSync(`${root}docs/numbers.json`, "utf8")) as DocNumbers;

describe("docs/tutorial.md states the numbers of docs/numbers.json", () => {
  const parts = renderTutorialParts(numbers);
  for (const [name, text] of Object.entries(parts)) {
    it(`part ${name} is the rendering of the recorded runs`, () => {
      expect(partOf(tutorial, name), `docs/tutorial.md part ${name}: run npx tsx scripts/doc-numbers.ts`).toBe(text.trim());
    });
  }
});

describe("the exercises table", () => {
  it('"pretreated": true holds the plan to the 30 Gy normal-liver limit: every dose × 0.75', () => {
    const { safety } = resolvePlan(loadSimulationCase({ ...fixture("net-default.json"), pretreated: true }));
    expect(safety.limitedBy).toBe("normalLiver");
    expect(safety.activityGBq / safety.plannedActivityGBq).toBeCloseTo(0.75, 9);
    expect(tutorial).toContain(`Activity LIMITED by normalLiver: planned ${safety.plannedActivityGBq.toFixed(4)} GBq, injected ${safety.activityGBq.toFixed(4)} GBq`);
  });
});

/**
 * A bundled case with a 4,000-terminal tree and a 6 mm dose grid. The embolic capacity comes from
 * geometry (per mL of tissue, src/transport/models/capacity.ts), so it needs no scaling with the
 * tree; a case that sets the per-vessel override keeps the same capacity per mL (× 100,000 / 4,000).
 */
async function smallRun(json: Record<string, unknown>): Promise<{ core: SimulationCore; summary: SimulationSummary }> {
  const terminals = 4000;
  const transport = (json.transport ?? {}) as { embolic?: { capacitySpheres?: number | null } };
  const perVessel = transport.embolic?.capacitySpheres;
  const embolic = transport.embolic && typeof perVessel === "number" ? { ...transport.embolic, capacitySpheres: perVessel * (100_000 / terminals) } : transport.embolic;
  const simCase = loadSimulationCase({ ...json, tree: { ...(json.tree as object), terminals }, transport: { ...transport, ...(embolic ? { embolic } : {}) }, dose: { voxelMm: 6 } });
  const core = simulateCore(simCase);
  const part = depositLodgedSpheres(simCase, core);
  return { core, summary: (await finishSimulation(simCase, core, part.counts, part.outsideGrid)).summary };
}

const within = (a: number | null, b: number | null | undefined, rel: number) => a !== null && b !== null && b !== undefined && Math.abs(a / b - 1) < rel;

describe("the observations hold on fresh small runs", () => {
  let right: SimulationSummary;
  let whole: SimulationCore;
  let wholeSummary: SimulationSummary;
  beforeAll(async () => {
    right = (await smallRun({ ...fixture("net-default.json"), injection: { entryPoint: "right-hepatic" } })).summary;
    ({ core: whole, summary: wholeSummary } = await smallRun(fixture("net-default.json")));
  }, 600_000);

  it("§1: the normal liver's spheres follow the plan; the voxel mean falls further below the spheres' dose for the smaller tumour", () => {
    const s = wholeSummary;
    expect(within(s.compartments.normal.meanDoseFromSpheresGy, s.partitionModel.normal.meanDoseGy, 0.03)).toBe(true);
    const loss = (t: string) => s.compartments[t].meanDoseGy / (s.compartments[t].meanDoseFromSpheresGy as number);
    expect(loss("S4")).toBeLessThan(loss("S8"));
    expect(loss("S8")).toBeLessThan(1);
  });

  it("§2: doubling S4's T/N about doubles its dose; the activity hardly changes", async () => {
    const c = fixture("net-default.json");
    const geometry = c.geometry as { tumours: Record<string, unknown>[] };
    const { summary: s } = await smallRun({ ...c, geometry: { ...geometry, tumours: geometry.tumours.map((t) => (t.name === "S4" ? { ...t, tnRatio: 12 } : t)) } });
    expect(Math.abs(s.activityGBq / wholeSummary.activityGBq - 1)).toBeLessThan(0.02);
    expect(s.partitionModel.S4.meanDoseGy / wholeSummary.partitionModel.S4.meanDoseGy).toBeGreaterThan(1.9);
    const ratio = (s.compartments.S4.meanDoseGy / wholeSummary.compartments.S4.meanDoseGy);
    expect(ratio).toBeGreaterThan(1.6);
    expect(ratio).toBeLessThan(2.4);
  }, 600_000);

  it("§4: glass: the same activity in tens of times fewer spheres, the same normal-liver mean", async () => {
    const { summary: s } = await smallRun({ ...fixture("net-default.json"), product: "therasphere", residualFraction: 0.006 });
    expect(Math.abs(s.activityGBq / wholeSummary.activityGBq - 1)).toBeLessThan(0.02);
    expect(wholeSummary.spheresInjected / s.spheresInjected).toBeGreaterThan(20);
    expect(within(s.compartments.normal.meanDoseGy, wholeSummary.compartments.normal.meanDoseGy, 0.05)).toBe(true);
  }, 600_000);

  it("§5: no stasis with the geometric capacity; stasis and reflux with 5,000 spheres per mL", async () => {
    expect(wholeSummary.reflux.stasis).toBe(false);
    expect(wholeSummary.reflux.fraction).toBe(0);
    const c = fixture("net-default.json");
    const transport = c.transport as { embolic: object };
    const { summary: s } = await smallRun({ ...c, transport: { ...transport, embolic: { ...transport.embolic, capacitySpheresPerMl: 5000 } } });
    expect(s.reflux.stasis).toBe(true);
    expect(s.reflux.fraction).toBeGreaterThan(0.05);
    expect(s.compartments.normal.meanDoseFromSpheresGy as number).toBeLessThan(0.9 * (wholeSummary.compartments.normal.meanDoseFromSpheresGy as number));
  }, 600_000);

  it("§3: right-hepatic: planned on the territory (less activity), right tumours as planned, left tumours nothing, liver D70 0", () => {
    expect(right.activityGBq).toBeLessThan(0.8 * whole.plan.activityGBq);
    expect(right.reflux.fraction).toBe(0);
    for (const t of ["S7-large", "S8", "S6", "S5", "normal"]) expect(within(right.compartments[t].meanDoseFromSpheresGy, right.partitionModel[t]?.meanDoseGy, 0.15), t).toBe(true);
    for (const t of ["S2", "S3", "S4"]) expect(right.compartments[t].spheres, t).toBe(0);
    expect(right.compartments.liver.D70Gy).toBeLessThan(0.05); // 0 up to FFT round-off
    expect(right.compartments.liver.meanDoseGy).toBeGreaterThan(15);
  });

  it("§6: segmentectomy: ablative dose to the segment, the whole liver's D70 0 and a perfused volume far below the liver's", async () => {
    const { summary: s } = await smallRun(fixture("glass-segmentectomy.json"));
    expect(s.reflux.fraction).toBe(0);
    expect(within(s.compartments.normal.meanDoseFromSpheresGy, s.partitionModel.normal.meanDoseGy, 0.05)).toBe(true);
    expect(s.compartments.normal.meanDoseFromSpheresGy).toBeGreaterThan(300);
    expect(s.compartments.HCC.V100).toBe(1);
    expect(s.compartments.liver.D70Gy).toBeLessThan(0.05); // 0 up to FFT round-off
    expect(s.compartments.perfused.volumeMl / s.compartments.liver.volumeMl).toBeLessThan(0.2);
  }, 600_000);

  it("§6: Ho-166: K 15.87 Gy·kg/GBq, normal liver at the plan, one TUMOUR_BELOW_TARGET for L-small", async () => {
    const { core, summary: s } = await smallRun(fixture("ho166-whole-liver.json"));
    expect(core.plan.provenance.doseCoefficientGyKgPerGBq).toBeCloseTo(15.87, 2);
    expect(within(s.compartments.normal.meanDoseFromSpheresGy, s.partitionModel.normal.meanDoseGy, 0.03)).toBe(true);
    expect(core.plan.advisories.map((a) => a.code)).toEqual(["TUMOUR_BELOW_TARGET"]);
    expect(core.plan.advisories[0].message).toMatch(/L-small/);
  }, 600_000);
});

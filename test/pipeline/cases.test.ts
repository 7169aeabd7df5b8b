/**
 * Every bundled simulation case in fixtures/cases/ must load and plan: a broken fixture fails CI
 * here in well under a second each (no tree, transport or dose). Planning-only fixtures (`plan-*`,
 * no `geometry`) are checked by test/cli/plan.test.ts and test/planning.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseTerminalsOption } from "../../src/cli/output.js";
import { describe, expect, it } from "vitest";
import { loadSimulationCase, terminalsAreAuto } from "../../src/pipeline/caseInput.js";
import { viableVolumeMl } from "../../src/geometry/index.js";
import { DEFAULT_LIVER_ELLIPSOIDS } from "../../src/geometry/build.js";
import { RESOLUTION_STUDY } from "../../src/transport/resolution.js";
import { caseFileFromJson, resolveTreeInputs } from "../../src/pipeline/resolveCase.js";
import { planTreatment } from "../../src/planning/index.js";
import { autoRootFlowMlPerMin, growTree } from "../../src/vascular/grow.js";

const CASES_DIR = join(import.meta.dirname, "..", "..", "fixtures", "cases");
const simulationCases = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(CASES_DIR, f), "utf8")) as Record<string, unknown> }))
  .filter((c) => c.json.geometry !== undefined);

describe("bundled simulation cases (fixtures/cases/*.json with a geometry)", () => {
  it("include the default NET case, the glass segmentectomy and the Ho-166 whole liver", () => {
    expect(simulationCases.map((c) => c.file)).toEqual(expect.arrayContaining(["net-default.json", "glass-segmentectomy.json", "ho166-whole-liver.json"]));
  });

  for (const { file, json } of simulationCases) {
    it(`${file} loads with loadSimulationCase and plans with planTreatment (positive activity, a description, a named tumour compartment per geometry tumour)`, () => {
      const simCase = loadSimulationCase(json, file);
      expect(simCase.description.length).toBeGreaterThan(40);
      const plan = planTreatment(simCase.planning);
      expect(plan.activityGBq).toBeGreaterThan(0);
      for (const t of simCase.domain.tumours) expect(plan.compartments[t.name], t.name).toBeDefined();
      expect(plan.compartments.normal).toBeDefined();
    });
  }

  it("glass-segmentectomy.json reaches > 400 Gy in the perfused segment (EANM 2022) with MIRD", () => {
    const c = simulationCases.find((x) => x.file === "glass-segmentectomy.json")!;
    const plan = planTreatment(loadSimulationCase(c.json, c.file).planning);
    expect(plan.method).toBe("mird");
    expect(plan.perfused.doseGy).toBeGreaterThan(400);
    // MIRD by hand: A = D·M/(K·(1 − LSF)), M = (14.1 + 191.4) mL × 1.03 g/mL, K = 49.962709601
    // (the engine's one Y-90 K, 0.9367 MeV per decay; the label's 50 would give 0.07 % less activity).
    const massKg = ((14.1 + 191.4) * 1.03) / 1000;
    expect(Math.abs(plan.activityGBq / ((450 * massKg) / (49.962709601 * 0.96)) - 1)).toBeLessThan(1e-9);
  });

  it("ho166-whole-liver.json gives 60 Gy to the perfused liver with K = 15.87 Gy·kg/GBq (3.78 GBq/kg at LSF 0)", () => {
    const c = simulationCases.find((x) => x.file === "ho166-whole-liver.json")!;
    const simCase = loadSimulationCase(c.json, c.file);
    const plan = planTreatment(simCase.planning);
    expect(Math.abs(plan.perfused.doseGy - 60)).toBeLessThan(1e-9);
    const massKg = simCase.planning.compartments.reduce((s, x) => s + x.massKg, 0);
    // K = 15.871544581: Ho-166's 0.7117 MeV per decay, which reproduces the published 15.87 to 1e-4.
    expect(Math.abs(plan.activityGBq / ((60 * massKg) / (15.871544581 * 0.96)) - 1)).toBeLessThan(1e-9);
  });
});

describe('tree.terminals "auto" (the default): the case\'s liver over RESOLUTION_STUDY.autoMg', () => {
  const net = simulationCases.find((x) => x.file === "net-default.json")!.json;
  const withoutCount = (json: Record<string, unknown>, tree: Record<string, unknown> = {}) => ({ ...json, tree: { ...(json.tree as Record<string, unknown>), terminals: undefined, ...tree } });

  it("gives the default case's liver the bundled cases' 100,000 terminals, in the agreed band; an explicit count is kept", () => {
    const auto = loadSimulationCase(withoutCount(net), "net-default.json");
    expect(terminalsAreAuto(auto.caseJson)).toBe(true);
    expect(Math.abs(auto.tree.terminals - 1e5)).toBeLessThan(500);
    const mg = (viableVolumeMl(auto.integral) * 1.03 * 1000) / auto.tree.terminals;
    expect(mg).toBeCloseTo(RESOLUTION_STUDY.autoMg, 1);
    expect(loadSimulationCase(withoutCount(net, { terminals: "auto" }), "x").tree.terminals).toBe(auto.tree.terminals);
    const given = loadSimulationCase(net, "net-default.json");
    expect(terminalsAreAuto(given.caseJson)).toBe(false);
    expect(given.tree.terminals).toBe(100000);
  });

  it("scales with the liver: lobes of half the size get ~1/8 of the terminals at the same tissue per terminal (a geometry-only case, as `sirtsim tree` reads it)", async () => {
    const ellipsoids = DEFAULT_LIVER_ELLIPSOIDS.map((e) => ({ centerMm: e.centerMm.map((x) => x / 2), semiAxesMm: e.semiAxesMm.map((x) => x / 2) }));
    const inputs = resolveTreeInputs(await caseFileFromJson({ geometry: { liver: { ellipsoids } }, tree: { seed: 3 } }, "half.json"));
    const n = inputs.tree.terminals;
    expect(n / 1e5).toBeGreaterThan(0.11);
    expect(n / 1e5).toBeLessThan(0.14);
    expect((viableVolumeMl(inputs.integral()) * 1.03 * 1000) / n).toBeCloseTo(RESOLUTION_STUDY.autoMg, 1);
  });

  it("tree.rootFlowMlPerMin \"auto\" (the default): 400 mL/min for the default liver exactly; for the default lobes halved (199 mL) the scaled flow keeps the default liver's terminal lumens, a fixed 400 mL/min widens them (docs/vascular.md's numbers)", () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const lumen = (c: ReturnType<typeof loadSimulationCase>) => {
      const t = growTree(c.domain, c.tree, c.tree.seed, c.integral);
      const d: number[] = [];
      for (let j = 0; j < t.segmentCount; j++) if (t.child0[j] < 0) d.push(2000 * t.radiusMm[j]);
      return { flow: t.params.rootFlowMlPerMin, lumen: median(d).toFixed(1) };
    };
    const base = { product: "sir-spheres", method: "partition", lungShuntFraction: 0, target: { compartment: "normal", doseGy: 40 } };
    const full = loadSimulationCase({ ...base, tree: { seed: 7 } }, "x");
    expect(full.tree.rootFlowMlPerMin).toBe("auto");
    expect(autoRootFlowMlPerMin(full.integral.liverVolumeMl)).toBe(400);
    const ellipsoids = DEFAULT_LIVER_ELLIPSOIDS.map((e) => ({ centerMm: e.centerMm.map((x) => x / 2), semiAxesMm: e.semiAxesMm.map((x) => x / 2) }));
    const half = (tree: Record<string, unknown>) => loadSimulationCase({ ...base, geometry: { liver: { ellipsoids } }, tree: { seed: 7, ...tree } }, "x");
    const h = half({});
    expect(h.integral.liverVolumeMl.toFixed(0)).toBe("199");
    expect(autoRootFlowMlPerMin(h.integral.liverVolumeMl)).toBe(50);
    const vascular = readFileSync(new URL("../../docs/vascular.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    const [a, b, c] = [lumen(half({ rootFlowMlPerMin: 400 })), lumen(full), lumen(h)];
    expect([a.flow, b.flow, c.flow]).toEqual([400, 400, 50]);
    // The claim itself, not only the document: the scaled flow keeps the default liver's lumens
    // (within 5 %), the fixed one widens them by (8)^(1/4) ≈ 1.68 (Poiseuille sizing, r ∝ Q^(1/4)).
    expect(Math.abs(Number(c.lumen) / Number(b.lumen) - 1)).toBeLessThan(0.05);
    expect(Math.abs(Number(a.lumen) / Number(c.lumen) / 8 ** 0.25 - 1)).toBeLessThan(0.03);
    expect(vascular).toContain(`a liver of 199 mL (the default lobes halved) at 16.4 mg per terminal had a median terminal lumen of ${a.lumen} µm against the default liver's ${b.lumen} µm, and ${c.lumen} µm with its scaled 50 mL/min`);
  });

  it('refuses "auto" misspelt, a string number or a fraction, naming the field and what it accepts', () => {
    for (const terminals of ["automatic", "Auto", "100000", 1.5, null]) {
      expect(() => loadSimulationCase(withoutCount(net, { terminals }), "x")).toThrow(/tree\.terminals.*must be an integer in \[2, 50000000\] or "auto"/);
    }
    expect(() => parseTerminalsOption("abc")).toThrow(/--terminals must be an integer in \[2, 50000000\] or "auto", got "abc"/);
    expect(parseTerminalsOption(" auto ")).toBe("auto");
    expect(parseTerminalsOption("3000")).toBe(3000);
  });
});

/**
 * docs/tutorial.md §3 (injection site) and §6 (the other bundled cases) say what the commands
 * print (issue 15.3):
 * 1. every number those sections state is the one scripts/doc-numbers.ts measured at full size
 *    (docs/numbers.json) — text against the recorded run;
 * 2. every observation they draw holds on a fresh run of the same cases with a small tree (4,000
 *    terminals; the embolic capacity comes from geometry, per mL of tissue), so a change to the engine that
 *    breaks a statement fails here even before docs/numbers.json is regenerated.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { depositLodgedSpheres, finishSimulation, loadSimulationCase, resolvePlan, simulateCore } from "../../src/index.js";
import type { SimulationCore, SimulationSummary } from "../../src/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tutorial = readFileSync(`${root}docs/tutorial.md`, "utf8");
const section = (n: number) => tutorial.slice(tutorial.indexOf(`## ${n}.`), tutorial.indexOf(`## ${n + 1}.`));
/** The section with every run of whitespace made one space (line breaks are Markdown wrapping). */
const flat = (n: number) => section(n).replace(/\s+/g, " ");
const fixture = (name: string) => JSON.parse(readFileSync(`${root}fixtures/cases/${name}`, "utf8")) as Record<string, unknown>;

interface Numbers {
  activityGBq: number;
  spheresInjected: number;
  advisories: string[];
  compartments: Record<string, { volumeMl: number; partitionGy: number | null; spheresGy: number | null; meanGy: number; D70Gy: number; V100: number; spheres: number }>;
}
const numbers = JSON.parse(readFileSync(`${root}docs/numbers.json`, "utf8")) as Record<string, Numbers>;
const f1 = (x: number | null) => (x === null ? "–" : x.toFixed(1));

describe("docs/tutorial.md states the numbers of docs/numbers.json", () => {
  it("§3: the right-hepatic table and the planned activity", () => {
    const text = section(3);
    const n = numbers["net-right-hepatic"];
    const row = (label: string) => text.split("\n").find((l) => l.startsWith(`| ${label} |`)) ?? `(no row ${label})`;
    for (const [name, label] of [["S7-large", "S7-large (right)"], ["S8", "S8 (right)"], ["S6", "S6 (right)"], ["S5", "S5 (right)"], ["normal", "normal (right lobe)"]]) {
      const c = n.compartments[name];
      expect(row(label), name).toBe(`| ${label} | ${f1(c.volumeMl)} | ${f1(c.partitionGy)} | ${f1(c.spheresGy)} | ${f1(c.meanGy)} | ${f1(c.D70Gy)} |`);
    }
    const left = ["S2", "S3", "S4"].map((t) => n.compartments[t]);
    expect(left.every((c) => c.spheres === 0 && c.meanGy === 0 && c.D70Gy === 0)).toBe(true);
    expect(row("S2, S3, S4 (left)")).toBe(`| S2, S3, S4 (left) | ${left.map((c) => f1(c.volumeMl)).join(", ")} | – | 0 spheres | 0.0 | 0.0 |`);
    for (const name of ["perfused", "liver"]) {
      const c = n.compartments[name];
      expect(row(name), name).toBe(`| ${name} | ${f1(c.volumeMl)} | | | ${f1(c.meanGy)} | ${f1(c.D70Gy)} |`);
    }
    const words = flat(3);
    expect(words).toContain(`asks for ${n.activityGBq.toFixed(3)} GBq`);
    const wholeLiverGBq = resolvePlan(loadSimulationCase(fixture("net-default.json"))).plan.activityGBq;
    expect(words).toContain(`instead of the whole liver's ${wholeLiverGBq.toFixed(3)} GBq`);
    expect(words).toContain(`its mean (${f1(n.compartments.liver.meanGy)} Gy)`);
  });

  it("§6: the segmentectomy and Ho-166 bullets", () => {
    const text = flat(6);
    const g = numbers["glass-segmentectomy"];
    expect(text).toContain(`${g.activityGBq.toFixed(3)} GBq, ${g.spheresInjected.toLocaleString("en")}`);
    expect(text).toContain(`~${Math.round((g.activityGBq * 1e9) / g.spheresInjected / 5) * 5} Bq`);
    expect(text).toContain(`the HCC gets ${f1(g.compartments.HCC.spheresGy)} Gy at tissue level (T/N 3, V100 = ${g.compartments.HCC.V100.toFixed(2)})`);
    expect(text).toContain(`segment's normal tissue ${f1(g.compartments.normal.spheresGy)} Gy`);
    expect(text).toContain(`(mean ${f1(g.compartments.liver.meanGy)} Gy, D70 ${f1(g.compartments.liver.D70Gy)} Gy): only the \`perfused\` ${f1(g.compartments.perfused.volumeMl)} of its ${f1(g.compartments.liver.volumeMl)} mL`);
    const h = numbers["ho166-whole-liver"];
    expect(text).toContain(`${h.activityGBq.toFixed(3)} GBq (K = 15.87`);
    expect(text).toContain(`${h.spheresInjected.toLocaleString("en")} spheres; normal liver ${f1(h.compartments.normal.spheresGy)} Gy`);
    const tumourGy = ["R-large", "R-small", "L-mid", "L-small"].map((t) => h.compartments[t].spheresGy as number);
    expect(text).toContain(`tumours ${f1(Math.min(...tumourGy))}–${f1(Math.max(...tumourGy))} Gy at tissue level`);
    expect(h.advisories).toEqual(["TUMOUR_BELOW_TARGET"]);
    expect(text).toContain("one `TUMOUR_BELOW_TARGET` (L-small, T/N 1.5)");
  });
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
  beforeAll(async () => {
    right = (await smallRun({ ...fixture("net-default.json"), injection: { entryPoint: "right-hepatic" } })).summary;
    whole = (await smallRun(fixture("net-default.json"))).core;
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

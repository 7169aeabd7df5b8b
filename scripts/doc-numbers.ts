/**
 * The numbers docs/tutorial.md states in §3 (injection site) and §6 (the other bundled cases), and
 * those the README states about the default case and its case-file example, measured on the
 * bundled cases at full size and written to docs/numbers.json. Run after a change
 * to the tree, transport or dose code:
 *
 *   npx tsx scripts/doc-numbers.ts            # all runs: docs/numbers.json + docs/tutorial.md parts (~8 min)
 *   npx tsx scripts/doc-numbers.ts net-glass  # only these runs (the others kept from docs/numbers.json)
 *
 * test/docs/tutorial.test.ts checks that every number the tutorial states in §3 and §6 is the one
 * in docs/numbers.json, and re-checks the observations themselves on fresh small runs;
 * test/docs/readme.test.ts does the same for the README (its performance notes come from
 * bench/readme.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { depositLodgedSpheres, finishSimulation, loadSimulationCase, resolvePlan, simulateCore } from "../src/index.js";
import type { SimulationSummary } from "../src/index.js";
import { renderTutorialParts, withParts, type DocNumbers, type PlanNumbers, type RunNumbers } from "./tutorialText.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(`${root}fixtures/cases/${name}`, "utf8")) as Record<string, unknown>;
const netDefault = () => fixture("net-default.json");
/** The default case with one tumour's fields changed. */
const withTumour = (name: string, change: Record<string, unknown>) => {
  const c = netDefault();
  const geometry = c.geometry as { tumours: Record<string, unknown>[] };
  return { ...c, geometry: { ...geometry, tumours: geometry.tumours.map((t) => (t.name === name ? { ...t, ...change } : t)) } };
};
const withTransport = (change: Record<string, unknown>) => {
  const c = netDefault();
  return { ...c, transport: { ...(c.transport as object), ...change } };
};

/** The full-size runs of the tutorial and the README: name → case JSON. */
export const DOC_RUNS: Record<string, () => Record<string, unknown>> = {
  // README "Quick start", tutorial §1: the default case as `npm start` runs it.
  "net-default": netDefault,
  // README "Case files": the example, as given (test/cli/oneStory.test.ts keeps it equal to the README block).
  "readme-example": () => fixture("readme-example.json"),
  // §2: S4's T/N doubled.
  "net-tn12": () => withTumour("S4", { tnRatio: 12 }),
  // §3: the default case injected into the right hepatic artery.
  "net-right-hepatic": () => ({ ...netDefault(), injection: { entryPoint: "right-hepatic" } }),
  // §4: glass instead of resin.
  "net-glass": () => ({ ...netDefault(), product: "therasphere", residualFraction: 0.006 }),
  // §5: a vascular bed that holds 5,000 spheres per mL.
  "net-stasis": () => {
    const c = netDefault();
    const transport = c.transport as { embolic: object };
    return { ...c, transport: { ...transport, embolic: { ...transport.embolic, capacitySpheresPerMl: 5000 } } };
  },
  // §6: the other bundled simulation cases, as given.
  "glass-segmentectomy": () => fixture("glass-segmentectomy.json"),
  "ho166-whole-liver": () => fixture("ho166-whole-liver.json"),
  // Exercises: heterogeneity models.
  "net-flow": () => withTransport({ heterogeneity: { model: "flow" } }),
  "net-walrand": () => withTransport({ heterogeneity: { model: "walrand-bias" }, bias: 0.6 }),
};

/** Planning-only variants (no transport needed): name → case JSON. */
export const DOC_PLANS: Record<string, () => Record<string, unknown>> = {
  "net-tn12-target-s4": () => ({ ...withTumour("S4", { tnRatio: 12 }), target: { compartment: "S4", doseGy: 240 } }),
  "net-lsf15": () => ({ ...netDefault(), lungShuntFraction: 0.15 }),
  "net-pretreated": () => ({ ...netDefault(), pretreated: true }),
};

const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));

/** What the tutorial and the README quote from a summary. */
export function docNumbers(s: SimulationSummary): RunNumbers {
  const compartments: RunNumbers["compartments"] = {};
  for (const [name, c] of Object.entries(s.compartments)) {
    compartments[name] = {
      volumeMl: round(c.volumeMl, 1) as number,
      partitionGy: round(s.partitionModel[name]?.meanDoseGy ?? null, 1),
      spheresGy: round(c.meanDoseFromSpheresGy, 1),
      meanGy: round(c.meanDoseGy, 1) as number,
      ldmGy: round(c.meanDoseLdmGy, 1) as number,
      D70Gy: round(c.D70Gy, 1) as number,
      D90Gy: round(c.D90Gy, 1) as number,
      V100: round(c.V100, 2) as number,
      spheres: c.spheres,
    };
  }
  const clusters = (s.transport.clusters as { histogram: Array<[number, number]> } | undefined)?.histogram ?? [];
  return {
    activityGBq: round(s.activityGBq, 3) as number,
    plannedActivityGBq: round(s.plan.plannedActivityGBq, 3) as number,
    spheresInjected: s.spheresInjected,
    activityPerSphereBq: round((s.activityGBq * 1e9) / s.spheresInjected, 1) as number,
    refluxFraction: round(s.reflux.fraction, 3) as number,
    refluxSpheres: s.reflux.spheres,
    refluxGBq: round(s.reflux.activityGBq, 3) as number,
    stasis: s.reflux.stasis,
    stasisAtSpheres: s.reflux.startedAtSpheres,
    realisedTN: round(s.tumourToNormalRatio.realisedSpheres, 2),
    lungGy: round(s.lung.meanDoseGy, 1) as number,
    largestCluster: clusters.length === 0 ? 0 : clusters[clusters.length - 1][0],
    advisories: (s.plan.advisories as { code: string }[]).map((a) => a.code),
    compartments,
  };
}

/** What the tutorial quotes from a plan. */
export function planNumbers(json: Record<string, unknown>, name: string): PlanNumbers {
  const { plan, safety } = resolvePlan(loadSimulationCase(json, name));
  const doseGy: Record<string, number> = {};
  for (const [c, r] of Object.entries(plan.compartments)) doseGy[c] = round(r.doseGy, 1) as number;
  return {
    plannedActivityGBq: round(safety.plannedActivityGBq, 4) as number,
    activityGBq: round(safety.activityGBq, 4) as number,
    limitedBy: safety.limitedBy,
    lungGy: doseGy.lung,
    doseGy,
  };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const previous = JSON.parse(readFileSync(`${root}docs/numbers.json`, "utf8")) as DocNumbers;
  const out: DocNumbers = { ...previous };
  for (const [name, make] of Object.entries(DOC_RUNS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const started = Date.now();
    const simCase = loadSimulationCase(make(), name);
    const core = simulateCore(simCase);
    const part = depositLodgedSpheres(simCase, core);
    const { summary } = await finishSimulation(simCase, core, part.counts, part.outsideGrid);
    out[name] = docNumbers(summary);
    process.stderr.write(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  for (const [name, make] of Object.entries(DOC_PLANS)) out[name] = planNumbers(make(), name);
  writeFileSync(`${root}docs/numbers.json`, `${JSON.stringify(out, null, 2)}\n`);
  const tutorialPath = `${root}docs/tutorial.md`;
  writeFileSync(tutorialPath, withParts(readFileSync(tutorialPath, "utf8"), renderTutorialParts(out)));
  process.stderr.write(`wrote docs/numbers.json and the measured parts of docs/tutorial.md\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

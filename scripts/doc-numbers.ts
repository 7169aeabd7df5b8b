/**
 * The numbers docs/tutorial.md states in §3 (injection site) and §6 (the other bundled cases), and
 * those the README states about the default case and its case-file example, measured on the
 * bundled cases at full size and written to docs/numbers.json. Run after a change
 * to the tree, transport or dose code:
 *
 *   npx tsx scripts/doc-numbers.ts            # writes docs/numbers.json (a few minutes)
 *
 * test/docs/tutorial.test.ts checks that every number the tutorial states in §3 and §6 is the one
 * in docs/numbers.json, and re-checks the observations themselves on fresh small runs;
 * test/docs/readme.test.ts does the same for the README (its performance notes come from
 * bench/readme.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { depositLodgedSpheres, finishSimulation, loadSimulationCase, simulateCore } from "../src/index.js";
import type { SimulationSummary } from "../src/index.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(`${root}fixtures/cases/${name}`, "utf8")) as Record<string, unknown>;

/** The runs of the tutorial: name → case JSON. */
export const DOC_RUNS: Record<string, () => Record<string, unknown>> = {
  // README "Quick start": the default case as `npm start` runs it.
  "net-default": () => fixture("net-default.json"),
  // README "Case files": the example, as given (test/cli/oneStory.test.ts keeps it equal to the README block).
  "readme-example": () => fixture("readme-example.json"),
  // §3: the default case injected into the right hepatic artery.
  "net-right-hepatic": () => ({ ...fixture("net-default.json"), injection: { entryPoint: "right-hepatic" } }),
  // §6: the other bundled simulation cases, as given.
  "glass-segmentectomy": () => fixture("glass-segmentectomy.json"),
  "ho166-whole-liver": () => fixture("ho166-whole-liver.json"),
};

const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));

/** What the tutorial quotes from a summary. */
export function docNumbers(s: SimulationSummary): Record<string, unknown> {
  const compartments: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(s.compartments)) {
    compartments[name] = {
      volumeMl: round(c.volumeMl, 1),
      partitionGy: round(s.partitionModel[name]?.meanDoseGy ?? null, 1),
      spheresGy: round(c.meanDoseFromSpheresGy, 1),
      meanGy: round(c.meanDoseGy, 1),
      D70Gy: round(c.D70Gy, 1),
      V100: round(c.V100, 2),
      spheres: c.spheres,
    };
  }
  return {
    activityGBq: round(s.activityGBq, 3),
    spheresInjected: s.spheresInjected,
    refluxFraction: round(s.reflux.fraction, 3),
    advisories: (s.plan.advisories as { code: string }[]).map((a) => a.code),
    compartments,
  };
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(DOC_RUNS)) {
    const started = Date.now();
    const simCase = loadSimulationCase(make(), name);
    const core = simulateCore(simCase);
    const part = depositLodgedSpheres(simCase, core);
    const { summary } = await finishSimulation(simCase, core, part.counts, part.outsideGrid);
    out[name] = docNumbers(summary);
    process.stderr.write(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  writeFileSync(`${root}docs/numbers.json`, `${JSON.stringify(out, null, 2)}\n`);
  process.stderr.write(`wrote docs/numbers.json\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

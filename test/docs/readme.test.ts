/**
 * Every number the README states comes from a script (issue 15.3):
 * - "Performance notes": the block between the bench/readme.ts markers is the rendering of
 *   bench/readme-numbers.json, which `npx tsx bench/readme.ts` measures and writes (timings are
 *   not re-measured here: no wall-clock numbers in tests);
 * - "Quick start": the default case's terminals, voxel size, target and sphere count are the case
 *   file's and the full-size run's of scripts/doc-numbers.ts (docs/numbers.json);
 * - "Case files": the README example's activity, spheres, reflux share and S8 doses are the
 *   full-size run's of the same script. That the example runs without reflux on a fresh (small)
 *   run is test/cli/oneStory.test.ts.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BEGIN, END, renderPerformance, type ReadmeNumbers } from "../../bench/readme.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");
/** The README with every run of whitespace made one space (line breaks are Markdown wrapping). */
const flat = readme.replace(/\s+/g, " ");
const json = (path: string) => JSON.parse(readFileSync(`${root}${path}`, "utf8")) as Record<string, unknown>;

interface RunNumbers {
  activityGBq: number;
  spheresInjected: number;
  refluxFraction: number;
  compartments: Record<string, { partitionGy: number | null; meanGy: number; spheresGy: number | null }>;
}
const numbers = json("docs/numbers.json") as unknown as Record<string, RunNumbers>;

describe("README numbers come from scripts", () => {
  it("the performance notes are bench/readme.ts's rendering of bench/readme-numbers.json", () => {
    const a = readme.indexOf(BEGIN);
    const b = readme.indexOf(END);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    const block = readme.slice(a + BEGIN.length, b).trim();
    expect(block).toBe(renderPerformance(json("bench/readme-numbers.json") as unknown as ReadmeNumbers).trim());
  });

  it("Quick start: the default case as the case file and the full-size run say", () => {
    const c = json("fixtures/cases/net-default.json") as { tree: { terminals: number }; dose: { voxelMm: number }; target: { doseGy: number; compartment: string } };
    const run = numbers["net-default"];
    expect(c.target.compartment).toBe("normal");
    expect(flat).toContain(`to ${c.target.doseGy} Gy normal liver, a ${c.tree.terminals.toLocaleString("en")}-terminal tree, ${(run.spheresInjected / 1e6).toFixed(1)} million spheres with embolic feedback, and the dose on a ${c.dose.voxelMm} mm grid`);
  });

  it("Case files: the example's activity, spheres, reflux and S8 dose are the full-size run's", () => {
    const run = numbers["readme-example"];
    const s8 = run.compartments.S8;
    expect(flat).toContain(`at the planned ${run.activityGBq.toFixed(3)} GBq (${(run.spheresInjected / 1e6).toFixed(2)} million spheres)`);
    expect(flat).toContain(`${(100 * run.refluxFraction).toFixed(1)} % of the activity refluxes and S8 receives ${(s8.spheresGy as number).toFixed(1)} Gy at tissue level against the partition model's ${(s8.partitionGy as number).toFixed(1)} Gy (${s8.meanGy.toFixed(1)} Gy mean on the dose grid`);
  });
});

/**
 * Input errors found before work, through the real CLI (dist/, built by `npm test`'s pretest):
 * each hostile input of issue 19 §4–5 and issue 15 §4 exits 2 with the file and the field named,
 * before the tree is grown (no "tree:" progress on stderr), and writes nothing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallCase } from "../pipeline/smallCase.js";
import { sirtsim as run } from "./helpers/run.js";

let dir: string;
const sirtsim = (...args: string[]) => run(args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-input-errors-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Case = Record<string, unknown>;
const tumours = (c: Case) => (c.geometry as { tumours: Array<Record<string, unknown>> }).tumours;

/** Run `simulate` on the small case changed by `change`; expect exit 2, nothing written, no work. */
function refused(name: string, change: (c: Case) => void, text?: string): string {
  const c = smallCase();
  change(c);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, text ?? JSON.stringify(c));
  const out = join(dir, `out-${name}`);
  const r = sirtsim("simulate", file, "--out", out, "--workers", "1");
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`${name}.json`);
  expect(r.stderr).not.toMatch(/^tree:/m);
  expect(r.stdout).toBe("");
  expect(existsSync(out)).toBe(false);
  return r.stderr;
}

describe("sirtsim simulate refuses bad cases before work, naming file and field", () => {
  it("a tumour outside the liver is named as such, not as a compartment volume", () => {
    const err = refused("outside", (c) => (tumours(c)[0].centerMm = [300, 0, 0]));
    expect(err).toMatch(/geometry\.tumours\[0\] \(right\) lies outside the liver/);
    expect(err).not.toMatch(/volumeMl/);
  });

  it("a tumour inside an earlier one is an error naming both", () => {
    const err = refused("overlap", (c) => tumours(c).push({ name: "inner", centerMm: [45, -10, 0], radiusMm: 10, tnRatio: 3 }));
    expect(err).toMatch(/geometry\.tumours\[2\] \(inner\) lies wholly inside geometry\.tumours\[0\] \(right\), which comes first and wins where tumours overlap \(0\.00 of its 4\.19 mL count\)/);
  });

  it("tumours named like the outputs' own rows (liver, normal, lung) or twice are refused", () => {
    expect(refused("named-liver", (c) => (tumours(c)[0].name = "liver"))).toMatch(/geometry\.tumours\[0\]\.name must not be "liver": reserved/);
    expect(refused("named-twice", (c) => (tumours(c)[1].name = "right"))).toMatch(/geometry\.tumours\[1\]\.name "right" is already used by geometry\.tumours\[0\]/);
  });

  // LSF 0.999 is no longer an input error: it is planned down to the lung limit for every injection
  // (one rule, docs/planning.md), tested in trustFields.test.ts.

  it('entryPoint "toString" (an Object.prototype key) is an error on injection.entryPoint listing the known names', () => {
    expect(refused("tostring", (c) => (c.injection = { entryPoint: "toString" }))).toMatch(/injection\.entryPoint must be a segment index or one of root, proper-hepatic, right-hepatic, .*got "toString"/);
  });

  it("a 5000-deep array in description is refused at parse time, not by a stack overflow at the end", () => {
    const text = JSON.stringify(smallCase()).replace(/}$/, `,"description":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    expect(refused("deep", () => {}, text)).toMatch(/JSON nested deeper than 64 levels/);
  });

  it("errors of the simulation sections carry the file name too", () => {
    expect(refused("misspelt", (c) => (tumours(c)[0].radiusMM = 3))).toMatch(/geometry\.tumours\[0\]: Unrecognized key: "radiusMM" \(in .*misspelt\.json\)/);
  });

  it("dose options that change nothing are refused: dose.method ldm, dose.microdosimetry", () => {
    expect(refused("ldm", (c) => (c.dose = { voxelMm: 4, method: "ldm" }))).toMatch(/dose\.method: only "fft"/);
    expect(refused("micro", (c) => (c.dose = { voxelMm: 4, microdosimetry: { voxelMm: 0.1 } }))).toMatch(/dose\.microdosimetry: is not available in simulate yet/);
  });

  it("injection and transport errors are found before the tree is grown, not after it (and name the file)", () => {
    const injection = (c: Case) => c.injection as Record<string, unknown>;
    const transport = (c: Case) => c.transport as Record<string, unknown>;
    expect(refused("inj-activity", (c) => (injection(c).activityGBq = 5))).toMatch(/injection\.activityGBq is set by the planning fields in a simulation/);
    expect(refused("inj-product", (c) => (injection(c).product = "therasphere"))).toMatch(/injection\.product is set by the planning fields/);
    expect(refused("tr-bias", (c) => (transport(c).bias = 0.9))).toMatch(/transport\.bias 0\.9 applies to transport\.heterogeneity\.model "walrand-bias" only/);
    expect(refused("tr-cut", (c) => (transport(c).cutDepth = 100))).toMatch(/transport\.cutDepth: Too big/);
    expect(refused("tr-shunt", (c) => (transport(c).tumourShuntFractions = { nope: 0.5 }))).toMatch(/transport\.tumourShuntFractions\.nope: no compartment named "nope" \(known: normal, right, left\)/);
  });
});

/**
 * `sirtsim dose` input checks through the real CLI (issue 19 §2, §4; issue 15 §4): labels must lie
 * on the activity's grid (a 500 mm shift is refused; flips and swapped axes are resampled by the
 * images branch's readLabelsInput), an all-zero label map is refused, a gzip bomb is refused without
 * inflating it, an unknown nuclide is an input error, and quantity options take unit strings as
 * case files do. Every refusal: exit 2, nothing written.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axisAlignedGeometry, type GridGeometry } from "../../src/geometry/grid.js";
import { encodeNifti, writeNifti } from "../../src/io/nifti.js";
import { sirtsim as run } from "./helpers/run.js";

let dir: string;
const g = axisAlignedGeometry([12, 12, 12], [4, 4, 4], [-22, -22, -22]);

const sirtsim = (...args: string[]) => run(args);

/** A block of labels 1 (the activity's block), on geometry `geometry`. */
async function labels(name: string, geometry: GridGeometry, value = 1): Promise<string> {
  const l = new Uint16Array(1728);
  for (let k = 3; k < 9; k++) for (let j = 3; j < 9; j++) for (let i = 2; i < 7; i++) l[i + 12 * (j + 12 * k)] = value;
  const path = join(dir, `${name}.nii.gz`);
  await writeNifti(path, { ...geometry, data: l });
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-dose-inputs-"));
  const a = new Float32Array(1728);
  for (let k = 3; k < 9; k++) for (let j = 3; j < 9; j++) for (let i = 2; i < 7; i++) a[i + 12 * (j + 12 * k)] = 5;
  await writeNifti(join(dir, "act.nii.gz"), { ...g, data: a });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refused(out: string, ...args: string[]): string {
  const r = sirtsim("dose", join(dir, "act.nii.gz"), "--out", join(dir, out), "--administered-gbq", "1", "--method", "ldm", ...args);
  expect(r.code, r.stderr).toBe(2);
  expect(existsSync(join(dir, out))).toBe(false);
  return r.stderr;
}

describe("sirtsim dose refuses inputs it cannot trust", () => {
  it("--labels shifted by 500 mm off the activity's grid is refused naming the file (flips and swapped axes are resampled, branch images)", async () => {
    const shifted = await labels("shifted", { ...g, originMm: [478, -22, -22] });
    expect(refused("o1", "--labels", shifted)).toMatch(/shifted\.nii\.gz: the image does not overlap the target grid/);
  });

  it("an all-zero label map is refused (no VOI), not answered with an empty DVH", async () => {
    const zero = await labels("zero", g, 0);
    expect(refused("o4", "--labels", zero)).toMatch(/--labels .*zero\.nii\.gz: every voxel is 0 on the activity.s grid, so there is no VOI/);
  });

  it("a gzip bomb given as the activity image is refused without inflating it", () => {
    const header = encodeNifti({ ...g, data: new Float32Array(1728) }, "bomb.nii");
    const zeros = gzipSync(new Uint8Array(16 * 1024 ** 2), { level: 9 });
    writeFileSync(join(dir, "bomb.nii.gz"), Buffer.concat([gzipSync(header), ...Array.from({ length: 128 }, () => zeros)]));
    const r = sirtsim("dose", join(dir, "bomb.nii.gz"), "--out", join(dir, "o5"), "--administered-gbq", "1");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/bomb\.nii\.gz: the gzip stream inflates to more than the 7264 bytes its header declares/);
    expect(existsSync(join(dir, "o5"))).toBe(false);
  });

  it("--nuclide toString (an Object.prototype key) is an input error", () => {
    expect(refused("o6", "--nuclide", "toString")).toMatch(/--nuclide must be one of Y-90, Ho-166, got "toString"/);
  });

  it('--lsf "3 %" and --administered-gbq "1500 MBq" give the same dose as 0.03 and 1.5', () => {
    const run = (out: string, ...args: string[]) => {
      const r = sirtsim("dose", join(dir, "act.nii.gz"), "--out", join(dir, out), "--method", "ldm", "--json", ...args);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { administeredGBq: number; lungShuntFraction: number; vois: Array<{ metrics: { meanGy: number } }> };
    };
    const units = run("u1", "--lsf", "3 %", "--administered-gbq", "1500 MBq");
    const plain = run("u2", "--lsf", "0.03", "--administered-gbq", "1.5");
    expect(units.administeredGBq).toBe(1.5);
    expect(units.lungShuntFraction).toBeCloseTo(0.03, 12);
    expect(units.vois[0].metrics.meanGy).toBe(plain.vois[0].metrics.meanGy);
    expect(refused("o7", "--lsf", "3 kg")).toMatch(/--lsf must be a fraction/);
  });
});

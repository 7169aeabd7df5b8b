/** `sirtsim dose` through the real CLI on a small NIfTI phantom (node dist/src/cli/main.js). */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { readNifti, writeNifti } from "../../src/io/nifti.js";
import { derivedDoseCoefficientGyKgPerGBq, Y90 } from "../../src/physics/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "dist/src/cli/main.js");
let dir: string;

function sirtsim(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, SIRTSIM_DEBUG: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(join(root, "dist/src/cli/commands/dose.js"))) {
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
    } catch {
      // Type errors elsewhere still emit JavaScript.
    }
  }
  dir = mkdtempSync(join(tmpdir(), "sirtsim-dose-test-"));
  // A 10×10×10 block of uniform activity (4 mm voxels) centred in a 20³ image; labels 1 = block.
  const g = axisAlignedGeometry([20, 20, 20], [4, 4, 4]);
  const a = new Float32Array(8000);
  const l = new Uint16Array(8000);
  for (let k = 5; k < 15; k++) for (let j = 5; j < 15; j++) for (let i = 5; i < 15; i++) {
    a[i + 20 * (j + 20 * k)] = 7;
    l[i + 20 * (j + 20 * k)] = 1;
  }
  await writeNifti(join(dir, "act.nii.gz"), { ...g, data: a });
  await writeNifti(join(dir, "labels.nii.gz"), { ...g, data: l });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sirtsim dose (CLI)", () => {
  it("--method ldm gives K·A·(1 − LSF)/M in the block and writes dose.nii.gz, dvh.csv, metrics.json", async () => {
    const r = sirtsim("dose", join(dir, "act.nii.gz"), "--out", join(dir, "ldm"), "--administered-gbq", "2", "--lsf", "0.1", "--method", "ldm", "--labels", join(dir, "labels.nii.gz"), "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vois: Array<{ label: number; metrics: { meanGy: number; d: Record<string, number> } }>; activityInGridBq: number };
    const massKg = (1000 * 0.064 * 1.03) / 1000; // 1000 voxels of 0.064 mL at 1.03 g/mL
    const expected = (derivedDoseCoefficientGyKgPerGBq(Y90) * 2 * 0.9) / massKg;
    expect(doc.vois[0].label).toBe(1);
    expect(doc.vois[0].metrics.meanGy / expected).toBeCloseTo(1, 5);
    expect(doc.activityInGridBq).toBeCloseTo(1.8e9, 0);
    const dose = await readNifti(join(dir, "ldm", "dose.nii.gz"), { kind: "activity" });
    expect(dose.data[10 + 20 * (10 + 20 * 10)] / expected).toBeCloseTo(1, 5);
    expect(readFileSync(join(dir, "ldm", "dvh.csv"), "utf8").split("\n")[0]).toBe("dose_gy,voi_1");
  });

  it("--method fft matches LDM (K·A/M) within 0.5 % at the block centre and loses < 10 % of the block mean to the margins", () => {
    const r = sirtsim("dose", join(dir, "act.nii.gz"), "--out", join(dir, "fft"), "--administered-gbq", "2", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vois: Array<{ metrics: { meanGy: number; maxGy: number } }>; paddedDims: number[] };
    const ldm = (derivedDoseCoefficientGyKgPerGBq(Y90) * 2) / 0.06592;
    expect(doc.vois[0].metrics.meanGy / ldm).toBeGreaterThan(0.9);
    expect(doc.vois[0].metrics.meanGy / ldm).toBeLessThan(1);
    expect(doc.vois[0].metrics.maxGy / ldm).toBeCloseTo(1, 2);
    expect(doc.paddedDims).toEqual([32, 32, 32]);
  });

  it("exits 2 naming the option for invalid input and leaves no output directory", () => {
    const r = sirtsim("dose", join(dir, "act.nii.gz"), "--out", join(dir, "bad"), "--administered-gbq", "2", "--lsf", "1.5");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--lsf must be a fraction in [0, 0.999999]");
    expect(existsSync(join(dir, "bad"))).toBe(false);
    const missing = sirtsim("dose", join(dir, "nope.nii.gz"), "--out", join(dir, "bad"), "--administered-gbq", "2");
    expect(missing.code).toBe(2);
  });
});

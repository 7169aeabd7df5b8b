/** `sirtsim dose` through the real CLI on a small NIfTI phantom (node dist/src/cli/main.js). */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSirtsim } from "../helpers/cli.js";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { readNifti, writeNifti } from "../../src/io/nifti.js";
import { derivedDoseCoefficientGyKgPerGBq, Y90 } from "../../src/physics/index.js";
import { bedPermanentImplantGy, RADIOBIOLOGY_DEFAULTS } from "../../src/dose/radiobiology.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;

const sirtsim = (...args: string[]) => runSirtsim(args);

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

interface Voi {
  label: number;
  tissue: string;
  metrics: { meanGy: number; minGy: number; maxGy: number; radiobiology: { tissue: string; alphaBetaGy: number; repairHalfTimeH: number; alphaPerGy: number; meanBedGy: number; eudGy: number } };
}

describe("sirtsim dose radiobiology (CLI): BED/EUD per VOI with its tissue's LQ parameters", () => {
  beforeAll(async () => {
    // Uniform activity in a 6×6×6 block of 4 mm voxels: label 1 = its left half, label 2 = its right half.
    const g = axisAlignedGeometry([12, 12, 12], [4, 4, 4]);
    const a = new Float32Array(12 ** 3);
    const l = new Uint16Array(12 ** 3);
    for (let k = 3; k < 9; k++) for (let j = 3; j < 9; j++) for (let i = 3; i < 9; i++) {
      a[i + 12 * (j + 12 * k)] = 1;
      l[i + 12 * (j + 12 * k)] = i < 6 ? 1 : 2;
    }
    await writeNifti(join(dir, "act2.nii.gz"), { ...g, data: a });
    await writeNifti(join(dir, "labels2.nii.gz"), { ...g, data: l });
  });
  it("a VOI given --tissue 2=tumour uses tumour α/β 10 Gy, T_rep 1.5 h; label 1 (no name) uses normal liver 2.5 Gy, 2.5 h; LDM BED = closed form", () => {
    const r = sirtsim("dose", join(dir, "act2.nii.gz"), "--out", join(dir, "rb-a"), "--administered-gbq", "1", "--method", "ldm", "--labels", join(dir, "labels2.nii.gz"), "--tissue", "2=tumour", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vois: Voi[]; provenance: string[] };
    const [normal, tumour] = doc.vois;
    expect(normal).toMatchObject({ label: 1, tissue: "normalLiver", metrics: { radiobiology: { tissue: "normalLiver", alphaBetaGy: 2.5, repairHalfTimeH: 2.5 } } });
    expect(tumour).toMatchObject({ label: 2, tissue: "tumour", metrics: { radiobiology: { tissue: "tumour", alphaBetaGy: 10, repairHalfTimeH: 1.5 } } });
    // LDM of uniform activity is uniform: BED of the dose (closed form) and EUD = the dose.
    const d = tumour.metrics.meanGy;
    expect(tumour.metrics.maxGy - tumour.metrics.minGy).toBeLessThan(1e-4 * d);
    expect(tumour.metrics.radiobiology.meanBedGy / bedPermanentImplantGy(d, "Y-90", RADIOBIOLOGY_DEFAULTS.tumour)).toBeCloseTo(1, 6);
    expect(tumour.metrics.radiobiology.eudGy / d).toBeCloseTo(1, 5);
    expect(normal.metrics.radiobiology.meanBedGy / bedPermanentImplantGy(d, "Y-90", RADIOBIOLOGY_DEFAULTS.normalLiver)).toBeCloseTo(1, 6);
    expect(doc.provenance.some((p) => p.startsWith("tumour: alpha/beta 10 Gy"))).toBe(true);
  });

  it("--lq tumour.alphaBetaGy=5 changes the tumour BED; the table shows tissue, BED and EUD columns", () => {
    const r = sirtsim("dose", join(dir, "act2.nii.gz"), "--out", join(dir, "rb-b"), "--administered-gbq", "1", "--method", "ldm", "--labels", join(dir, "labels2.nii.gz"), "--tissue", "2=tumour", "--lq", "tumour.alphaBetaGy=5", "--lq", "tumour.alphaPerGy=0.01");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tissue\s+BED Gy\s+EUD Gy/);
    const rows = r.stdout.split("\n").filter((line) => /^\d+\s/.test(line));
    expect(rows[0]).toContain("normalLiver");
    expect(rows[1]).toContain("tumour");
    // Columns end with BED, EUD, TCP, NTCP (TCP/NTCP: src/dose/outcome.ts; "–" where the tissue has no model).
    expect(r.stdout).toMatch(/EUD Gy\s+TCP\s+NTCP/);
    expect(rows[1].trim().split(/\s+/).at(-1)).toBe("–");
    expect(Number(rows[1].trim().split(/\s+/).at(-2))).toBeGreaterThanOrEqual(0);
    const tumourBed = Number(rows[1].trim().split(/\s+/).at(-4));
    const d = Number(rows[1].trim().split(/\s+/)[2]);
    // The table prints 0.1 Gy: compare to 1e-4.
    expect(tumourBed / bedPermanentImplantGy(d, "Y-90", { alphaBetaGy: 5, repairHalfTimeH: 1.5 })).toBeCloseTo(1, 4);
  });

  it("exits 2 naming the option for a bad --lq or --tissue and writes nothing", () => {
    for (const [args, message] of [
      [["--lq", "tumour.alphaBetaGy=-1"], "--lq tumour.alphaBetaGy must be a number"],
      [["--lq", "kidney.alphaBetaGy=3"], "--lq must be one of tumour, normalLiver, lung"],
      [["--tissue", "2=bone"], "--tissue must be one of tumour, normalLiver, lung"],
      // TCP is the tumour's model and NTCP the normal liver's (src/dose/outcome.ts).
      [["--lq", "lung.ntcp.m=0.3"], "--lq lung.ntcp.m=0.3: ntcp applies to normalLiver only"],
      [["--lq", "normalLiver.ntcp.m=0"], "--lq normalLiver.ntcp.m must be"],
      [["--tissue", "7=tumour"], "--tissue 7: no such VOI"],
      // An --lq for a tissue no VOI has would have no effect: refused, naming the option.
      [["--lq", "tumour.alphaBetaGy=8"], "--lq tumour.*: no VOI is of tissue tumour"],
    ] as const) {
      const r = sirtsim("dose", join(dir, "act2.nii.gz"), "--out", join(dir, "rb-bad"), "--administered-gbq", "1", "--method", "ldm", "--labels", join(dir, "labels2.nii.gz"), ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
      expect(existsSync(join(dir, "rb-bad"))).toBe(false);
    }
  });
});

/**
 * `sirtsim plan-images` on the synthetic patient: the plan numbers against numpy hand computations
 * from the same files. Counts per VOI use fractional occupancy of the SPECT voxels (as `dose`);
 * test/images/plan_occupancy_reference.py computes the occupancy exactly (box overlaps of the
 * CT-grid VOIs, where sirtsim samples 27 points per voxel), and truth.json (make_patient.py)
 * holds the whole-voxel nearest-neighbour numbers, which the occupancy must improve on.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, hasPython, patient, python, sirtsim, truth } from "./helpers.js";

beforeAll(() => ensureBuilt("planImages.js"));

interface Voi { name: string; massKg: number; relativeConcentration: number; meanGy: number; meanGyPerGBq: number; volumeMl: number }
const plan = (...args: string[]) => {
  const r = sirtsim("plan-images", "--spect", join(patient, "spect"), "--ct", join(patient, "ct"), ...args, "--json");
  if (r.code !== 0) throw new Error(r.stderr);
  const doc = JSON.parse(r.stdout);
  return { ...doc, byName: Object.fromEntries(doc.vois.map((v: Voi) => [v.name, v])) as Record<string, Voi> };
};

describe("sirtsim plan-images on the synthetic patient", () => {
  it.skipIf(!hasPython("nibabel, numpy"))("partition model to tumour_1 mean 150 Gy: LSF, T/N, activity, compartment and lung doses equal numpy's exact-occupancy computation to 0.3 % (measured ≤ 0.21 %, the lung dose = LSF × A), closer than whole voxels; masses equal numpy's (1e-9)", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150");
    const ref = python("test/images/plan_occupancy_reference.py", patient) as { tn: Record<string, number>; lungShuntFraction: number; administeredGBq: number; doseGy: Record<string, number>; lungDoseGy: number };
    const t = truth.plan;
    const rel = (a: number, b: number) => Math.abs(a / b - 1);
    expect(doc.lungShuntSource).toBe("image");
    expect(doc.binding).toBe("tumour_1:mean=150");
    expect(doc.targetMet).toBe(true);
    // The residual is labelOccupancy's 3×3×3 sampling against the exact box overlap.
    expect(rel(doc.lungShuntFraction, ref.lungShuntFraction)).toBeLessThan(0.003);
    expect(rel(doc.activityGBq, ref.administeredGBq)).toBeLessThan(0.003);
    expect(rel(doc.lungDoseGy, ref.lungDoseGy)).toBeLessThan(0.003);
    // Whole nearest-neighbour voxels (truth.json) are farther from the exact occupancy.
    expect(rel(doc.lungShuntFraction, ref.lungShuntFraction)).toBeLessThan(rel(t.lungShuntFraction, ref.lungShuntFraction));
    expect(rel(doc.activityGBq, ref.administeredGBq)).toBeLessThan(rel(t.administeredGBq, ref.administeredGBq));
    for (const [name, c] of Object.entries(t.compartments as Record<string, { massKg: number; tn: number; doseGy: number }>)) {
      expect(doc.byName[name].massKg / c.massKg, name).toBeCloseTo(1, 9);
      expect(rel(doc.byName[name].meanGy, ref.doseGy[name]), name).toBeLessThan(0.003);
      if (name === "liver") continue;
      expect(rel(doc.byName[name].relativeConcentration, ref.tn[name]), name).toBeLessThan(0.003);
      expect(rel(doc.byName[name].relativeConcentration, ref.tn[name]), name).toBeLessThan(rel(c.tn, ref.tn[name]));
    }
  });

  it("with RTSTRUCT contours rasterised on the CT the activity is within 0.5 % of the hand computation; docs/tutorial.md step 1's numbers (T/N 3.22, 1.77; LSF 7.78 %; 1.36 GBq)", () => {
    const doc = plan("--labels", join(patient, "rtstruct.dcm"), "--target", "tumour_1:mean=150");
    expect(Math.abs(doc.activityGBq / truth.plan.administeredGBq - 1)).toBeLessThan(0.005);
    expect(doc.byName.tumour_1.relativeConcentration.toFixed(2)).toBe("3.22");
    expect(doc.byName.tumour_2.relativeConcentration.toFixed(2)).toBe("1.77");
    expect((100 * doc.lungShuntFraction).toFixed(2)).toBe("7.78");
    expect(doc.activityGBq.toFixed(2)).toBe("1.36");
  });

  it("a normal-liver limit binds and is named: A = 40 Gy / (K (1 − LSF) / Σ r·m) by hand (from the printed LSF, T/N and masses)", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150", "--limit", "liver:mean<=40", "--limit", "tumour_2:mean<=500");
    const weightedKg = ["liver", "tumour_1", "tumour_2"].reduce((s, n) => s + doc.byName[n].relativeConcentration * doc.byName[n].massKg, 0);
    const expected = 40 / ((truth.constants.kGyKgPerGBq * (1 - doc.lungShuntFraction)) / weightedKg);
    expect(doc.binding).toBe("liver:mean<=40");
    expect(doc.targetMet).toBe(false);
    expect(doc.activityGBq / expected).toBeCloseTo(1, 9);
    expect(doc.byName.liver.meanGy).toBeCloseTo(40, 9);
    expect(doc.safety.withinLimits).toBe(true);
  });

  it("without --limit on the normal liver the product's EANM maximum is not held, and a plan over it is not 'within every limit': named as exceeded, exit 3 with --strict", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150");
    expect(doc.byName.liver.meanGy).toBeGreaterThan(40);
    expect(doc.safety.withinLimits).toBe(false);
    expect(doc.safety.exceededLimits.join(" ")).toMatch(/liver:mean<=40 \(EANM 2022; not held: give --limit liver:mean<=40/);
    const strict = sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150", "--strict");
    expect(strict.code).toBe(3);
    expect(strict.stdout).toMatch(/Limits: EXCEEDED/);
    // A D70 limit on the liver does not hold its mean: the EANM mean maximum is still named.
    const d70 = plan("--labels", join(patient, "labels.nii.gz"), "--method", "voxel", "--target", "tumour_1:mean=150", "--limit", "liver:D70<=500");
    expect(d70.safety.exceededLimits.join(" ")).toMatch(/liver:mean<=40 \(EANM 2022; not held/);
  });

  it("the lung limit binds when the lung mass is small: A = 30 Gy · m / (K · LSF)", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=400", "--lung-mass-kg", "0.2");
    expect(doc.binding).toBe("lung<=30");
    expect(doc.activityGBq / ((30 * 0.2) / (truth.constants.kGyKgPerGBq * doc.lungShuntFraction))).toBeCloseTo(1, 9);
  });

  it("LSF from planar anterior/posterior counts is the geometric-mean ratio numpy computed", () => {
    const p = truth.planar;
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150",
      "--planar-lung-counts", `${p.lungs.anteriorCounts},${p.lungs.posteriorCounts}`, "--planar-liver-counts", `${p.liver.anteriorCounts},${p.liver.posteriorCounts}`);
    expect(doc.lungShuntSource).toBe("planar");
    expect(doc.lungShuntFraction).toBeCloseTo(p.lsfGeometricMean, 12);
  });

  it("voxel dosimetry: the mean dose per GBq of a large VOI agrees with the partition model (same counts, LDM) to 0.5 %; D70 targets are accepted", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:D70=150", "--method", "voxel");
    const part = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150");
    // Volumes differ between the SPECT grid (voxel) and the CT grid (partition) by < 0.5 % here.
    expect(Math.abs(doc.byName.liver.meanGyPerGBq / part.byName.liver.meanGyPerGBq - 1)).toBeLessThan(0.005);
    expect(doc.binding).toBe("tumour_1:D70=150");
  });

  it("exits 2 naming the option: D70 with the partition model, an unknown VOI, no target", () => {
    const r1 = sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:D70=150");
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("D70 needs --method voxel");
    const r2 = sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", join(patient, "labels.nii.gz"), "--target", "tumour_9:mean=150");
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('no VOI named "tumour_9"');
    const r3 = sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", join(patient, "labels.nii.gz"), "--lsf", "0");
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("--target");
  });
});

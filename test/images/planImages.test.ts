/**
 * `sirtsim plan-images` on the synthetic patient: the plan numbers equal the hand computation that
 * fixtures/patient/make_patient.py did with numpy from the same files (truth.json: CT-grid
 * volumes × 1.03 g/mL, T/N and LSF from the SPECT counts per VOI, the partition model).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, patient, sirtsim, truth } from "./helpers.js";

beforeAll(() => ensureBuilt("planImages.js"));

interface Voi { name: string; massKg: number; relativeConcentration: number; meanGy: number; meanGyPerGBq: number; volumeMl: number }
const plan = (...args: string[]) => {
  const r = sirtsim("plan-images", "--spect", join(patient, "spect"), "--ct", join(patient, "ct"), ...args, "--json");
  if (r.code !== 0) throw new Error(r.stderr);
  const doc = JSON.parse(r.stdout);
  return { ...doc, byName: Object.fromEntries(doc.vois.map((v: Voi) => [v.name, v])) as Record<string, Voi> };
};

describe("sirtsim plan-images on the synthetic patient", () => {
  it("partition model to tumour_1 mean 150 Gy: LSF, T/N, masses, activity, compartment and lung doses equal numpy's hand computation (1e-9)", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150");
    const t = truth.plan;
    expect(doc.lungShuntSource).toBe("image");
    expect(doc.lungShuntFraction).toBeCloseTo(t.lungShuntFraction, 12);
    expect(doc.activityGBq / t.administeredGBq).toBeCloseTo(1, 9);
    expect(doc.binding).toBe("tumour_1:mean=150");
    expect(doc.targetMet).toBe(true);
    expect(doc.lungDoseGy / t.lungDoseGy).toBeCloseTo(1, 9);
    for (const [name, c] of Object.entries(t.compartments as Record<string, { massKg: number; tn: number; doseGy: number }>)) {
      expect(doc.byName[name].massKg / c.massKg, name).toBeCloseTo(1, 9);
      expect(doc.byName[name].relativeConcentration / c.tn, name).toBeCloseTo(1, 9);
      expect(doc.byName[name].meanGy / c.doseGy, name).toBeCloseTo(1, 9);
    }
  });

  it("with RTSTRUCT contours rasterised on the CT the activity is within 0.5 % of the hand computation", () => {
    const doc = plan("--labels", join(patient, "rtstruct.dcm"), "--target", "tumour_1:mean=150");
    expect(Math.abs(doc.activityGBq / truth.plan.administeredGBq - 1)).toBeLessThan(0.005);
  });

  it("a normal-liver limit binds and is named: A = 40 Gy / (K (1 − LSF) / Σ r·m) by hand", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150", "--limit", "liver:mean<=40", "--limit", "tumour_2:mean<=500");
    const t = truth.plan;
    const weightedKg = Object.values(t.compartments as Record<string, { massKg: number; tn: number }>).reduce((s, c) => s + c.tn * c.massKg, 0);
    const expected = 40 / ((truth.constants.kGyKgPerGBq * (1 - t.lungShuntFraction)) / weightedKg);
    expect(doc.binding).toBe("liver:mean<=40");
    expect(doc.targetMet).toBe(false);
    expect(doc.activityGBq / expected).toBeCloseTo(1, 9);
    expect(doc.byName.liver.meanGy).toBeCloseTo(40, 9);
  });

  it("the lung limit binds when the lung mass is small: A = 30 Gy · m / (K · LSF)", () => {
    const doc = plan("--labels", join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=400", "--lung-mass-kg", "0.2");
    expect(doc.binding).toBe("lung<=30");
    expect(doc.activityGBq / ((30 * 0.2) / (truth.constants.kGyKgPerGBq * truth.plan.lungShuntFraction))).toBeCloseTo(1, 9);
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

/**
 * Every accepted case field has an effect that a user can see, or is refused (issue 19 §4, the
 * "left" list of STATUS.md; issue 15), through the real CLI (dist/, built by `npm test`'s pretest):
 *
 * - `dose.dPercents` / `dose.vThresholdsGy`: each requested D_x and V_y per VOI in summary.json,
 *   metrics.csv, the terminal table and report.html;
 * - `residualFraction` and the calibration time: the dispensed activity = administered / (1 − residual)
 *   and the vial activity at calibration, hand numbers;
 * - `transport.timelinePoints`: the timeline's points in summary.json; refused where it has none;
 * - `wholeLiver` with a method that ignores it: refused; `patient`, `indication`, `scenario`: shown;
 * - a DVH bin widened to keep ≤ 10,000 points: stderr warning and summary.json dvh.binWidthGy;
 * - a label VOI partly outside the activity grid (dose --labels): stderr warning and metrics.json;
 * - LSF 0.999: one rule for a whole-liver and a selective injection (planned down, exit 3 --strict);
 * - `plan-images --write-case` naming a file: exit 2 before any image is read.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { writeNifti } from "../../src/io/nifti.js";
import { runSirtsim } from "../helpers/cli.js";
import { smallCase } from "../pipeline/smallCase.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-trust-fields-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function caseFile(name: string, json: Record<string, unknown>): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** `simulate` on a case: expect exit 2 naming the file, no work (no tree), nothing written. */
function refused(name: string, json: Record<string, unknown>): string {
  const out = join(dir, `out-${name}`);
  const r = runSirtsim(["simulate", caseFile(name, json), "--out", out, "--workers", "1"]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(`${name}.json`);
  expect(r.stderr).not.toMatch(/^tree:/m);
  expect(existsSync(out)).toBe(false);
  return r.stderr;
}

describe("simulate shows every accepted field", () => {
  it("requested D_x / V_y, dispensed activity, timeline points, patient and indication, widened DVH bins", () => {
    // Forward plan at 1.2 GBq with 20 % residual: dispensed 1.2 / 0.8 = 1.5 GBq (hand number).
    const { target: _target, ...rest } = smallCase();
    const json = {
      ...rest,
      activityGBq: 1.2,
      residualFraction: 0.2,
      // One Y-90 half-life (64.1 h) from calibration: the vial must hold 2 × 1.5 = 3 GBq then.
      hoursCalibrationToTreatment: 64.1,
      patient: { heightCm: 170, weightKg: 70 },
      indication: "mcrc",
      tree: { terminals: 500, seed: 5 },
      transport: { embolic: { enabled: false }, heterogeneity: { model: "flow" }, timelinePoints: 4 },
      // 1 mGy bins up to the hottest voxel would need far more than 10,000 points.
      dose: { voxelMm: 5, dPercents: [50, 95], vThresholdsGy: [70], dvhBinWidthGy: 0.001 },
    };
    const out = join(dir, "out-shown");
    const r = runSirtsim(["simulate", caseFile("shown", json), "--out", out, "--workers", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));

    // 1. D50, D95, V70Gy per VOI, in the order asked, and only those.
    for (const name of ["right", "left", "normal", "liver"]) {
      const c = s.compartments[name];
      expect(Object.keys(c.doseAtVolumeGy), name).toEqual(["D50", "D95"]);
      expect(Object.keys(c.volumeAtDose), name).toEqual(["V70Gy"]);
      expect(c.doseAtVolumeGy.D50, name).toBe(c.D50Gy);
      expect(c.doseAtVolumeGy.D95, name).toBe(c.D95Gy);
      expect(c.doseAtVolumeGy.D95, name).toBeLessThanOrEqual(c.doseAtVolumeGy.D50);
      expect(c.volumeAtDose.V70Gy, name).toBeGreaterThanOrEqual(0);
      expect(c.volumeAtDose.V70Gy, name).toBeLessThanOrEqual(1);
    }
    expect(r.stdout).toMatch(/VOI +D50 Gy +D95 Gy +V70Gy %/);
    const report = readFileSync(join(out, "report.html"), "utf8");
    const csv = readFileSync(join(out, "metrics.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    expect(csv[0]).toEqual(["voi", "volumeMl", "spheres", "meanDoseGy", "meanDoseLdmGy", "D50Gy", "D95Gy", "V70Gy", "meanBedGy", "eudGy"]);
    const right = csv.find((row) => row[0] === "right") as string[];
    expect(Number(right[5])).toBe(s.compartments.right.doseAtVolumeGy.D50);
    expect(Number(right[7])).toBe(s.compartments.right.volumeAtDose.V70Gy);
    expect(report).toMatch(/id="dvh-metrics-table"><thead><tr><th>VOI<\/th><th>D50 \(Gy\)<\/th><th>D95 \(Gy\)<\/th><th>V70Gy \(%\)<\/th>/);

    // 3. Dispensed activity: summary.json, terminal, report.
    expect(s.activityGBq).toBe(1.2);
    expect(s.plan.residualFraction).toBe(0.2);
    expect(s.plan.dispensedActivityGBq).toBeCloseTo(1.5, 12);
    expect(r.stdout).toContain("dispense 1.500 GBq (20.0 % stays in vial and tubing)");
    expect(report).toContain("Activity dispensed</th><td>1.500 GBq");
    expect(s.plan.decay.activityAtCalibrationGBq).toBeCloseTo(3, 12);
    expect(report).toContain("Vial activity at calibration</th><td>3.000 GBq (64.1 h before treatment)");

    // 2. timelinePoints 4: four equal batches, the timeline's four points.
    expect(s.transport.timeline).toHaveLength(4);
    expect(s.reproduce.transport.timelinePoints).toBe(4);

    // 4. Descriptive fields are shown, with what they do.
    expect(s.plan.indication).toBe("mcrc");
    expect(s.plan.scenario).toBe("whole-liver");
    expect(s.plan.patient).toEqual({ heightCm: 170, weightKg: 70 });
    expect(report).toContain("170 cm, 70 kg (recorded; not used by method partition, only by bsa)");
    expect(report).toContain("mcrc / whole-liver");

    // 5. Widened DVH bins: reported, and the curves really are on the wider spacing.
    expect(s.dvh.binWidthGy.requested).toBe(0.001);
    expect(s.dvh.binWidthGy.used).toBeGreaterThan(0.001);
    expect(s.dvh.widenedFor.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/warning: dose\.dvhBinWidthGy 0\.001 Gy would need more than 10,000 points per DVH curve: the curves of .* use [0-9.e-]+ Gy/);
    const dvh = JSON.parse(readFileSync(join(out, "dvh.json"), "utf8"));
    const curves = (dvh.curves ?? dvh) as Array<{ doseGy: number[] }>;
    for (const c of curves) expect(c.doseGy.length).toBeLessThanOrEqual(s.dvh.maxPoints);
  });

  it("the default D_x / V_y levels are reported when the case asks for none", async () => {
    const { parseDoseConfig } = await import("../../src/dose/config.js");
    const { requestedDvhLevels } = await import("../../src/pipeline/finish.js");
    // Unit test (true by construction): the defaults are the schema's, unchanged.
    expect(requestedDvhLevels(parseDoseConfig({}))).toEqual({ dPercents: [2, 50, 70, 90, 95, 98], vThresholdsGy: [20, 30, 40, 50, 70, 100, 120, 150, 205] });
  });
});

describe("fields with no effect are refused before work, naming file and field", () => {
  it("transport.timelinePoints with embolic feedback or the walk", () => {
    expect(refused("timeline-feedback", smallCase({ transport: { embolic: { enabled: true }, timelinePoints: 5 } }))).toMatch(
      /transport\.timelinePoints is used only by algorithm "cascade" without embolic feedback \(with transport\.embolic\.enabled every adaptive batch is a timeline point\)/,
    );
    expect(refused("timeline-walk", smallCase({ transport: { algorithm: "walk", timelinePoints: 5 } }))).toMatch(/transport\.timelinePoints is used only by algorithm "cascade" .*"walk" records its own 20 points/);
  });

  it("wholeLiver with method partition (only the BSA formula reads it)", () => {
    expect(refused("whole-liver", smallCase({ wholeLiver: { volumeMl: 1800 } }))).toMatch(/wholeLiver is used only by method bsa .*method partition/);
  });
});

describe("LSF 0.999: one rule for every injection", () => {
  const lsfCase = (injection: Record<string, unknown>) => smallCase({ lungShuntFraction: 0.999, tree: { terminals: 500, seed: 5 }, injection });

  it.each([
    ["whole liver", { entryPoint: "proper-hepatic" }],
    ["selective", { entryPoint: "right-hepatic" }],
  ])("%s: planned down to the lung limit with a contraindication (exit 0), exit 3 with --strict", (what, injection) => {
    const file = caseFile(`lsf-${what.replace(" ", "-")}`, lsfCase(injection));
    const r = runSirtsim(["plan", file, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.safety.limitedBy).toBe("lungSingle");
    expect(doc.safety.contraindications).toContain("LSF_CONTRAINDICATED");
    // The lung dose is held at its 30 Gy limit: A = 30 Gy · 1 kg / (K · LSF).
    expect(doc.compartments.lung.doseGy).toBeCloseTo(30, 6);
    expect(doc.activityGBq).toBeCloseTo((30 * 1) / (doc.provenance.doseCoefficientGyKgPerGBq * 0.999), 9);
    const strict = runSirtsim(["plan", file, "--strict"]);
    expect(strict.code, strict.stderr).toBe(3);
    expect(strict.stderr).toMatch(/strict: LSF_CONTRAINDICATED; exit 3/);
  });
});

describe("dose --labels: a VOI partly outside the activity grid", () => {
  it("is kept, clipped, with a warning and the clipped share in metrics.json", async () => {
    // Activity: 20³ voxels of 4 mm, centres x = 0 … 76 mm. Labels on the same lattice shifted by
    // +40 mm: label 1 (x = 40 … 56) inside, label 2 "lung" (x = 60 … 96) half outside (x ≥ 80).
    const g = axisAlignedGeometry([20, 20, 20], [4, 4, 4], [0, 0, 0]);
    const activity = new Float32Array(8000).fill(1000);
    await writeNifti(join(dir, "act.nii.gz"), { ...g, data: activity });
    const l = new Uint16Array(8000);
    for (let k = 5; k < 15; k++) for (let j = 5; j < 15; j++) for (let i = 0; i < 15; i++) l[i + 20 * (j + 20 * k)] = i < 5 ? 1 : 2;
    await writeNifti(join(dir, "lab.nii.gz"), { ...axisAlignedGeometry([20, 20, 20], [4, 4, 4], [40, 0, 0]), data: l });
    writeFileSync(join(dir, "lab.json"), JSON.stringify({ 1: "liver", 2: "lung" }));
    const out = join(dir, "out-clipped");
    const r = runSirtsim(["dose", join(dir, "act.nii.gz"), "--labels", join(dir, "lab.nii.gz"), "--out", out, "--administered-gbq", "1", "--method", "ldm", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --labels .*lab\.nii\.gz: VOI 2 \(lung\) lies 50\.0 % outside the activity's grid/);
    expect(r.stderr).not.toMatch(/VOI 1 /);
    const doc = JSON.parse(r.stdout);
    expect(doc.labels.clipped).toEqual([{ label: 2, name: "lung", outsideFraction: 0.5 }]);
    expect(JSON.parse(readFileSync(join(out, "metrics.json"), "utf8")).labels.clipped).toEqual(doc.labels.clipped);
    // The lung VOI's metrics cover the 500 voxels inside (of 1000): 500 × 0.064 mL.
    expect(doc.vois.find((v: { name: string }) => v.name === "lung").metrics.volumeMl).toBeCloseTo(32, 6);
  });
});

describe("plan-images --write-case", () => {
  it("naming a file is refused (exit 2) before any image is read, and the file is left alone", () => {
    const file = join(dir, "a-file.txt");
    writeFileSync(file, "mine\n");
    const base = caseFile("base", smallCase());
    const r = runSirtsim(["plan-images", "--spect", join(dir, "no-such-spect"), "--labels", join(dir, "no-such-labels.nii.gz"), "--target", "t:mean=100", "--write-case", file, "--base-case", base]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--write-case/);
    // The images do not exist: had they been read first, the error would name them.
    expect(r.stderr).not.toMatch(/no-such-spect/);
    expect(readFileSync(file, "utf8")).toBe("mine\n");
  });
});

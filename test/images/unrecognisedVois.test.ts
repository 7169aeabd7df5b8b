/**
 * VOIs whose name is neither liver, tumour nor lung (BODY, …) through the real CLI (issue 16
 * review, fix 4): left out of the plan, the lung shunt and the liver counts with a warning naming
 * them, listed in --json, as MIM SurePlan / Simplicit90Y users expect (a contour counts once it
 * is given a role). Before, a BODY label took part in the partition model and the LSF
 * denominator: LSF 7.78 → 7.06 %, plan 1.357 → 1.496 GBq (+10 %) with exit 0. The expected
 * numbers are those of the same label map without BODY.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNifti, writeNifti } from "../../src/io/nifti.js";
import { ensureBuilt, patient, sirtsim } from "./helpers.js";

let dir: string;
let withBody: string;
beforeAll(async () => {
  ensureBuilt("planImages.js");
  dir = mkdtempSync(join(tmpdir(), "sirtsim-unrecognised-"));
  // The patient's label map with every background voxel labelled 5 "BODY".
  const labels = await readNifti(join(patient, "labels.nii.gz"), { kind: "labels" });
  const data = labels.data.map((l) => (l === 0 ? 5 : l));
  withBody = join(dir, "labels-body.nii.gz");
  await writeNifti(withBody, { ...labels, data });
  writeFileSync(join(dir, "labels-body.json"), JSON.stringify({ 1: "liver", 2: "tumour_1", 3: "tumour_2", 4: "lungs", 5: "BODY" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plan = (labels: string, ...extra: string[]) => sirtsim("plan-images", "--spect", join(patient, "spect"), "--labels", labels, "--ct", join(patient, "ct"), "--json", ...extra);

describe("VOIs of unknown role", () => {
  it("plan-images: BODY is left out (warning naming it, excludedVois in --json): the same LSF and activity as without it", () => {
    const r = plan(withBody, "--target", "tumour_1:mean=150");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*VOI "BODY" is neither liver, tumour nor lung/);
    const doc = JSON.parse(r.stdout);
    const plain = JSON.parse(plan(join(patient, "labels.nii.gz"), "--target", "tumour_1:mean=150").stdout);
    expect(doc.excludedVois).toEqual([{ label: 5, name: "BODY" }]);
    expect(doc.lungShuntFraction).toBe(plain.lungShuntFraction);
    expect(doc.activityGBq).toBe(plain.activityGBq);
    expect(doc.vois.map((v: { name: string }) => v.name)).toEqual(plain.vois.map((v: { name: string }) => v.name));
    const onBody = plan(withBody, "--target", "BODY:mean=10");
    expect(onBody.code).toBe(2);
    expect(onBody.stderr).toContain('"BODY"');
  });

  it("dose --lsf image: BODY is left out of the lung shunt (warning, lungShuntExcludedVois), the LSF of the map without it", () => {
    const run = (labels: string, out: string) => sirtsim("dose", join(patient, "spect"), "--labels", labels, "--lsf", "image", "--administered-gbq", "1.5", "--out", join(dir, out), "--method", "ldm", "--json");
    const r = run(withBody, "out-body");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*VOI "BODY" .*left out of the lung shunt/);
    const doc = JSON.parse(r.stdout);
    expect(doc.lungShuntExcludedVois).toEqual(["BODY"]);
    expect(doc.lungShuntFraction).toBe(JSON.parse(run(join(patient, "labels.nii.gz"), "out-plain").stdout).lungShuntFraction);
  });
});

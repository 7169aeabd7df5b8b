/**
 * Trust gaps found by review (issues 15 and 19), each replayed through a real CLI process: exit
 * code, a message naming the option or file, nothing written. Unit tests of the CLI's behaviour
 * (no independent numbers).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { writeNifti } from "../../src/io/nifti.js";
import { decodeCountsFile, encodeCountsFile } from "../../src/pipeline/stageFiles.js";
import { root, sirtsim as run } from "./helpers/run.js";

let dir: string;
const sirtsim = (...args: string[]) => run(args);
// 12³ voxels of 4 mm (0.064 mL); a block of 5 × 6 × 6 = 180 voxels holds the activity (11.52 mL).
const g = axisAlignedGeometry([12, 12, 12], [4, 4, 4], [-22, -22, -22]);
const BLOCK_ML = 180 * 0.064;

/** A Bq/mL image whose block holds `gbq` GBq. */
async function bqml(name: string, gbq: number): Promise<string> {
  const a = new Float32Array(1728);
  for (let k = 3; k < 9; k++) for (let j = 3; j < 9; j++) for (let i = 2; i < 7; i++) a[i + 12 * (j + 12 * k)] = (gbq * 1e9) / BLOCK_ML;
  const path = join(dir, `${name}.nii.gz`);
  await writeNifti(path, { ...g, data: a });
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-trust-gaps-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refused(args: string[], out: string): string {
  const r = sirtsim(...args, "--out", join(dir, out));
  expect(r.code, r.stderr).toBe(2);
  expect(existsSync(join(dir, out))).toBe(false);
  return r.stderr;
}

describe("dose on a quantitative image: --administered-gbq is a check, every option has an effect", () => {
  it("0.0041 GBq in a Bq/mL image against --administered-gbq 1 is refused (factor > 10), naming the option and the totals", async () => {
    const img = await bqml("tiny", 0.0041);
    const err = refused(["dose", img, "--quantity", "bqml", "--administered-gbq", "1", "--method", "ldm"], "d1");
    expect(err).toMatch(/--administered-gbq: 0\.004100 GBq in the whole image of .*tiny\.nii\.gz against 1\.000 GBq/);
    expect(err).toMatch(/--rescale-to-administered/);
    // With --rescale-to-administered the image is scaled: accepted.
    const ok = sirtsim("dose", img, "--quantity", "bqml", "--administered-gbq", "1", "--rescale-to-administered", "--method", "ldm", "--json", "--out", join(dir, "d1r"));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).activityInGridBq).toBeCloseTo(1e9, -3);
  });

  it("0.7 GBq against 1 GBq (30 % off): exit 0, warned on stderr, in --json warnings and administeredCheck; 0.9 GBq: no warning", async () => {
    const r = sirtsim("dose", await bqml("low", 0.7), "--quantity", "bqml", "--administered-gbq", "1", "--method", "ldm", "--json", "--out", join(dir, "d2"));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { warnings: string[]; administeredCheck: { ratio: number; tolerance: number }; scaling: string };
    expect(doc.scaling).toBe("as-is");
    expect(doc.administeredCheck.ratio).toBeCloseTo(0.7, 5);
    expect(doc.administeredCheck.tolerance).toBe(0.2);
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/0\.7000 GBq in the whole image .* against 1\.000 GBq .*differs by -30\.0 %/);
    expect(r.stderr).toMatch(/warning: 0\.7000 GBq in the whole image/);
    const near = sirtsim("dose", await bqml("near", 0.9), "--quantity", "bqml", "--administered-gbq", "1", "--method", "ldm", "--json", "--out", join(dir, "d3"));
    expect(near.code, near.stderr).toBe(0);
    expect(JSON.parse(near.stdout).warnings).toEqual([]);
    expect(near.stderr).not.toMatch(/warning/);
  });

  it("--residual, --lsf and --lung-mass-kg without an effect are refused naming the option; --series on a NIfTI; --rescale-to-administered on counts", async () => {
    const img = await bqml("asis", 1);
    expect(refused(["dose", img, "--quantity", "bqml", "--residual", "0.05", "--method", "ldm"], "d4")).toMatch(/--residual has no effect without --administered-gbq/);
    expect(refused(["dose", img, "--quantity", "bqml", "--lsf", "0.1", "--method", "ldm"], "d5")).toMatch(/--lsf has no effect without --administered-gbq/);
    expect(refused(["dose", img, "--quantity", "bqml", "--administered-gbq", "1", "--lung-mass-kg", "0.8", "--method", "ldm"], "d6")).toMatch(/--lung-mass-kg has no effect: no lung dose is computed/);
    expect(refused(["dose", img, "--series", "1.2.3", "--administered-gbq", "1", "--method", "ldm"], "d7")).toMatch(/--series has no effect: .* is a NIfTI file/);
    expect(refused(["dose", img, "--administered-gbq", "1", "--rescale-to-administered", "--method", "ldm"], "d8")).toMatch(/--rescale-to-administered has no effect: .* is in counts/);
    // With their effect they are accepted: the residual lowers the expected total, the lung dose uses the mass.
    const r = sirtsim("dose", img, "--quantity", "bqml", "--administered-gbq", "1.25", "--residual", "0.2", "--lsf", "0.1", "--lung-mass-kg", "0.5", "--method", "ldm", "--json", "--out", join(dir, "d9"));
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { administeredCheck: { expectedBq: number }; lung: { massKg: number }; warnings: string[] };
    expect(doc.administeredCheck.expectedBq).toBeCloseTo(1e9, -3);
    expect(doc.lung.massKg).toBe(0.5);
    expect(doc.warnings).toEqual([]);
  });
});

describe("export-rtdose --out follows the output rules of the other commands", () => {
  const ct = join(root, "fixtures/patient/ct");
  it("refuses \"\", a folder, its own input and an existing file (exit 2, named, files untouched); writes a new file once", () => {
    const input = join(dir, "in.nii.gz");
    copyFileSync(join(root, "fixtures/patient/ct.nii.gz"), input);
    const before = readFileSync(input);
    const exp = (out: string) => sirtsim("export-rtdose", input, "--reference", ct, "--out", out);
    const no = (out: string, message: RegExp) => {
      const r = exp(out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    no("", /--out must name an output file, got ""/);
    mkdirSync(join(dir, "afolder"));
    no(join(dir, "afolder"), /--out .*afolder is a folder; name the file to write/);
    no(`${join(dir, "newfolder")}/`, /--out .*newfolder\/ names a folder/);
    expect(existsSync(join(dir, "newfolder"))).toBe(false);
    no(input, /--out .*in\.nii\.gz is the input .*in\.nii\.gz; name a new file/);
    expect(readFileSync(input).equals(before)).toBe(true);
    writeFileSync(join(dir, "mine.dcm"), "the user's file");
    no(join(dir, "mine.dcm"), /--out .*mine\.dcm exists; sirtsim does not overwrite a file/);
    expect(readFileSync(join(dir, "mine.dcm"), "utf8")).toBe("the user's file");
    const ok = exp(join(dir, "sub", "rtdose.dcm"));
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, "sub", "rtdose.dcm")).subarray(128, 132).toString("latin1")).toBe("DICM");
    expect(readdirSync(join(dir, "sub"))).toEqual(["rtdose.dcm"]);
    no(join(dir, "sub", "rtdose.dcm"), /exists; sirtsim does not overwrite a file/);
  });
});

describe("plan-images says out loud when a plan is unsafe, as plan and simulate do", () => {
  const P = join(root, "fixtures/patient");
  const plan = (...args: string[]) => sirtsim("plan-images", "--spect", join(P, "spect", "spect.dcm"), "--ct", join(P, "ct"), "--labels", join(P, "seg.dcm"), "--target", "tumour_1:mean=150", ...args);
  type Doc = { lungShuntFraction: number; activityGBq: number; product: { id: string; source: string }; safety: { withinLimits: boolean; limitedBy: string | null; contraindications: string[]; advisories: Array<{ code: string; level: string }> } };

  it("LSF 45 %: the contraindication on the terminal and in --json, the lung limit named; --strict exits 3", () => {
    const text = plan("--lsf", "0.45");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\[contraindication\] LSF_CONTRAINDICATED: lung shunt fraction 45\.0 % > 20 %/);
    expect(text.stdout).toMatch(/Activity LIMITED by lung<=30: planned 2\.\d{4} GBq, injected 1\.\d{4} GBq/);
    const json = plan("--lsf", "0.45", "--json");
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as Doc;
    expect(doc.safety.contraindications).toEqual(["LSF_CONTRAINDICATED"]);
    expect(doc.safety.limitedBy).toBe("lung<=30");
    expect(doc.product).toEqual({ id: "sir-spheres", source: "default" });
    expect(json.stderr).toMatch(/contraindication: LSF_CONTRAINDICATED/);
    const strict = plan("--lsf", "0.45", "--strict");
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/strict: LSF_CONTRAINDICATED; exit 3/);
    // Glass: LSF > 20 % is a warning (the lung dose and lung activity are the limits), not a contraindication.
    const glass = JSON.parse(plan("--lsf", "0.45", "--product", "therasphere", "--json").stdout) as Doc;
    expect(glass.safety.advisories.find((a) => a.code === "LSF_HIGH")?.level).toBe("warning");
    expect(glass.safety.contraindications).toEqual([]);
    // --strict exits 0 once every limit holds: the normal liver's EANM maximum is held only when given as a --limit (46.6 Gy without it: exit 3).
    expect(plan("--lsf", "0.05", "--strict").code).toBe(3);
    expect(plan("--lsf", "0.05", "--limit", "liver:mean<=40", "--strict").code).toBe(0);
    const bad = plan("--product", "toString");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--product must be one of sir-spheres, therasphere, quiremspheres, got "toString"/);
  });

  it("unit strings as in case files: --lsf \"3 %\" and --lung-limit-gy \"30 Gy\" plan as 0.03 and 30; --nuclide toString is exit 2", () => {
    const units = plan("--lsf", "3 %", "--lung-limit-gy", "30 Gy", "--json");
    expect(units.code, units.stderr).toBe(0);
    const plain = plan("--lsf", "0.03", "--lung-limit-gy", "30", "--json");
    expect((JSON.parse(units.stdout) as Doc).activityGBq).toBe((JSON.parse(plain.stdout) as Doc).activityGBq);
    expect((JSON.parse(units.stdout) as Doc).lungShuntFraction).toBeCloseTo(0.03, 12);
    const kg = plan("--lsf", "3 kg");
    expect(kg.code).toBe(2);
    expect(kg.stderr).toMatch(/--lsf must be a fraction/);
    const nuclide = plan("--nuclide", "toString");
    expect(nuclide.code).toBe(2);
    expect(nuclide.stderr).toMatch(/--nuclide must be one of Y-90, Ho-166, got "toString"/);
  });
});

describe("dose refuses label tables whose VOIs cannot be told apart", () => {
  it("duplicate, reserved or empty names: exit 2 naming the label file, its name table and the names; nothing written", async () => {
    const img = await bqml("named", 1);
    const l = new Uint16Array(1728);
    for (let k = 3; k < 9; k++) for (let j = 3; j < 9; j++) for (let i = 2; i < 7; i++) l[i + 12 * (j + 12 * k)] = i < 4 ? 1 : 2;
    await writeNifti(join(dir, "two.nii.gz"), { ...g, data: l });
    const withTable = (name: string, table: unknown) => {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(table));
      return ["dose", img, "--administered-gbq", "1", "--method", "ldm", "--labels", join(dir, "two.nii.gz"), "--label-names", join(dir, `${name}.json`)];
    };
    expect(refused(withTable("dup", { 1: "liver", 2: "liver" }), "n1")).toMatch(/--labels .*two\.nii\.gz \(names from .*dup\.json\): labels 1, 2 share the name "liver"/);
    expect(refused(withTable("dupcase", { 1: "Liver", 2: "liver" }), "n2")).toMatch(/labels 1, 2 share the name "Liver"/);
    expect(refused(withTable("reserved", { 1: "liver", 2: "activity" }), "n3")).toMatch(/label 2 is named "activity", reserved/);
    expect(refused(withTable("empty", { 1: "liver", 2: " " }), "n4")).toMatch(/label 2 has an empty name/);
    // A table naming label 2 "1" collides with label 1's default name (its number).
    expect(refused(withTable("number", { 2: "1" }), "n5")).toMatch(/labels 1, 2 share the name "1"/);
    const ok = sirtsim(...withTable("good", { 1: "liver", 2: "tumour" }), "--json", "--out", join(dir, "n6"));
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { vois: Array<{ name: string }> }).vois.map((v) => v.name)).toEqual(["liver", "tumour"]);
  });
});

describe("kernel: an unknown nuclide is an input error; lengths with units", () => {
  it("--nuclide toString exits 2 (Object.hasOwn); --voxel-mm \"2 mm\" and \"0.2 cm\" equal 2; \"2 kg\" is refused naming the option", () => {
    const bogus = sirtsim("kernel", "--nuclide", "toString", "--voxel-mm", "2");
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/--nuclide must be one of Y-90, Ho-166, got "toString"/);
    const values = (...mm: string[]) => {
      const r = sirtsim("kernel", "--voxel-mm", ...mm, "--size", "2", "--json");
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { spacingMm: number[]; octant: number[][][] };
    };
    const plain = values("2");
    expect(values("2 mm")).toEqual(plain);
    expect(values("0.2 cm")).toEqual(plain);
    expect(plain.spacingMm).toEqual([2, 2, 2]);
    const kg = sirtsim("kernel", "--voxel-mm", "2 kg");
    expect(kg.code).toBe(2);
    expect(kg.stderr).toMatch(/--voxel-mm must be a length/);
    const far = sirtsim("kernel", "--voxel-mm", "2 cm");
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/--voxel-mm must be a number in \[0\.05, 10\] mm, got "2 cm" = 20 mm/);
  });
});

describe("a tumour the case geometry shrinks is said, not shrunk silently", () => {
  it("B 37.5 % inside A (two-sphere lens, analytic: 500π mm³ of 4.19 mL) and C partly outside the liver: TUMOUR_CLIPPED warnings with name and share, on the terminal, in --json and stderr", () => {
    const caseJson = (cx: number) => ({
      product: "sir-spheres",
      method: "partition",
      lungShuntFraction: 0.03,
      target: { compartment: "normal", doseGy: 40 },
      geometry: {
        tumours: [
          { name: "A", centerMm: [30, 10, 35], radiusMm: 15, tnRatio: 4 },
          // 15 mm from A's centre: the lens of spheres r 15 and 10 at distance 15 is 500π mm³ = 37.5 % of B.
          { name: "B", centerMm: [45, 10, 35], radiusMm: 10, tnRatio: 3 },
          { name: "C", centerMm: [cx, 0, 0], radiusMm: 12, tnRatio: 3 },
        ],
      },
    });
    writeFileSync(join(dir, "clipped.json"), JSON.stringify(caseJson(90)));
    const json = sirtsim("plan", join(dir, "clipped.json"), "--json");
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { safety: { advisories: Array<{ code: string; level: string; message: string }> } };
    const clipped = doc.safety.advisories.filter((a) => a.code === "TUMOUR_CLIPPED");
    expect(clipped.map((a) => a.level)).toEqual(["warning", "warning"]);
    const lensFraction = (500 * Math.PI) / ((4 / 3) * Math.PI * 1000);
    const bLost = Number(/tumour B \(geometry\.tumours\[1\]\): ([\d.]+) %/.exec(clipped[0].message)![1]) / 100;
    expect(Math.abs(bLost - lensFraction)).toBeLessThan(0.005);
    expect(clipped[0].message).toMatch(/inside A, which comes first and wins where tumours overlap\); it is planned and dosed as 2\.6\d mL/);
    expect(clipped[1].message).toMatch(/tumour C \(geometry\.tumours\[2\]\): [\d.]+ % of its 7\.24 mL is not counted \([\d.]+ % outside the liver\)/);
    expect(json.stderr).toMatch(/warning: TUMOUR_CLIPPED: tumour B/);
    const text = sirtsim("plan", join(dir, "clipped.json"));
    expect(text.stdout).toMatch(/\[warning\] TUMOUR_CLIPPED: tumour C/);
    // Wholly inside the liver and apart: no warning (the integral counts a whole tumour to 0.09 %).
    writeFileSync(join(dir, "whole.json"), JSON.stringify({ ...caseJson(80), geometry: { tumours: [caseJson(80).geometry.tumours[0], caseJson(80).geometry.tumours[2]] } }));
    const whole = sirtsim("plan", join(dir, "whole.json"), "--json");
    expect(whole.code, whole.stderr).toBe(0);
    expect((JSON.parse(whole.stdout) as typeof doc).safety.advisories.filter((a) => a.code === "TUMOUR_CLIPPED")).toEqual([]);
  });
});

describe("reflux above 5 % is a warning in the JSON too, not only on stderr", () => {
  it("a capacity of 50 spheres per vessel (stasis): transport --json, transport.json, simulate --json and summary.json carry reflux.warning", () => {
    const c = JSON.parse(readFileSync(join(root, "fixtures/cases/readme-example.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "reflux.json"), JSON.stringify({ ...c, tree: { terminals: 2000 }, transport: { embolic: { enabled: true, capacitySpheres: 50 } }, dose: { voxelMm: 4 } }));
    const warning = /^[\d.]+ % of the activity refluxed to the non-target branch \(above 5\.0 %\)/;
    const t = sirtsim("transport", join(dir, "reflux.json"), "--out", join(dir, "rt"), "--json", "--workers", "1");
    expect(t.code, t.stderr).toBe(0);
    const tr = JSON.parse(t.stdout) as { reflux: { fraction: number; warning: string | null } };
    expect(tr.reflux.fraction).toBeGreaterThan(0.05);
    expect(tr.reflux.warning).toMatch(warning);
    expect((JSON.parse(readFileSync(join(dir, "rt", "transport.json"), "utf8")) as typeof tr).reflux.warning).toBe(tr.reflux.warning);
    expect(t.stderr).toContain(`warning: ${tr.reflux.warning}`);
    const s = sirtsim("simulate", join(dir, "reflux.json"), "--out", join(dir, "rs"), "--json", "--workers", "1");
    expect(s.code, s.stderr).toBe(0);
    expect((JSON.parse(s.stdout) as typeof tr).reflux.warning).toBe(tr.reflux.warning);
    expect((JSON.parse(readFileSync(join(dir, "rs", "summary.json"), "utf8")) as typeof tr).reflux.warning).toBe(tr.reflux.warning);
  });
});

describe("merge checks the run's files of every shard, not only the first's", () => {
  it("an edited transport.json, case.json or tree.bin in the second shard, or a missing lodged.bin: exit 2 naming the file; the intact pair merges", () => {
    const c = JSON.parse(readFileSync(join(root, "fixtures/cases/readme-example.json"), "utf8")) as Record<string, unknown>;
    // 6000 terminals: 2 work units of 4096 segments, so a split into 2.
    writeFileSync(join(dir, "shard.json"), JSON.stringify({ ...c, tree: { terminals: 6000 }, transport: undefined, dose: { voxelMm: 4 } }));
    for (const i of [0, 1]) {
      const r = sirtsim("simulate", join(dir, "shard.json"), "--shard", `${i}/2`, "--out", join(dir, `sh${i}`), "--workers", "1");
      expect(r.code, r.stderr).toBe(0);
    }
    const tamper = (name: string, edit: (b: Buffer) => Buffer | null, message: RegExp) => {
      const copy = join(dir, `sh1-${name}`);
      rmSync(copy, { recursive: true, force: true });
      mkdirSync(copy);
      for (const f of readdirSync(join(dir, "sh1"))) copyFileSync(join(dir, "sh1", f), join(copy, f));
      const edited = edit(readFileSync(join(copy, name)));
      if (edited === null) rmSync(join(copy, name));
      else writeFileSync(join(copy, name), edited);
      const out = join(dir, `merged-${name}`);
      const r = sirtsim("merge", join(dir, "sh0"), copy, "--out", out, "--workers", "1");
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    };
    tamper("transport.json", (b) => Buffer.from(b.toString("utf8").replace(/"seed": \d+/, '"seed": 7')), /sh1-transport\.json\/transport\.json differs from .*sh0\/transport\.json \(SHA-256 /);
    tamper("case.json", (b) => Buffer.from(`${b.toString("utf8")} `), /sh1-case\.json\/case\.json differs from .*sh0\/case\.json/);
    tamper("tree.bin", (b) => { const t = Buffer.from(b); t[100] ^= 1; return t; }, /sh1-tree\.bin\/tree\.bin differs from .*sh0\/tree\.bin/);
    tamper("lodged.bin", () => null, /sh1-lodged\.bin\/lodged\.bin: cannot read it \(ENOENT\)/);
    // A shard of another sirtsim version (its header and mirror consistent, its checksum valid): its
    // lodging positions came from other code, which the sphere totals would not show.
    const other = join(dir, "sh1-version");
    rmSync(other, { recursive: true, force: true });
    mkdirSync(other);
    for (const f of readdirSync(join(dir, "sh1"))) copyFileSync(join(dir, "sh1", f), join(other, f));
    const decoded = decodeCountsFile(readFileSync(join(other, "counts.bin")), "counts.bin");
    const manifest = { ...decoded.manifest, sirtsimVersion: "0.2.0" };
    writeFileSync(join(other, "counts.bin"), encodeCountsFile(decoded.counts, manifest));
    writeFileSync(join(other, "shard.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const mixed = sirtsim("merge", join(dir, "sh0"), other, "--out", join(dir, "merged-version"), "--workers", "1");
    expect(mixed.code, mixed.stderr).toBe(2);
    expect(mixed.stderr).toMatch(/sh1-version\/counts\.bin: sirtsimVersion: the shard was computed by sirtsim 0\.2\.0, this is /);
    expect(existsSync(join(dir, "merged-version"))).toBe(false);
    // A folder without counts.bin: named as not a shard folder (was "…/counts.bin …/counts.bin: cannot read the file").
    tamper("counts.bin", () => null, /sh1-counts\.bin is not a shard folder: no counts\.bin$/m);
    const ok = sirtsim("merge", join(dir, "sh0"), join(dir, "sh1"), "--out", join(dir, "merged"), "--workers", "1");
    expect(ok.code, ok.stderr).toBe(0);
    // A finished run's folder is named as such, not as a missing file.
    const whole = sirtsim("merge", join(dir, "merged"), "--out", join(dir, "merged-again"), "--workers", "1");
    expect(whole.code).toBe(2);
    expect(whole.stderr).toMatch(/merged is not a shard folder: no counts\.bin \(it holds a finished run's outputs/);
    expect(existsSync(join(dir, "merged-again"))).toBe(false);
  });

  it("a case without a name, run by a relative path, merges (its name is the file's base name, not the path as typed; merge resolves the absolute path)", () => {
    const c = JSON.parse(readFileSync(join(root, "fixtures/cases/readme-example.json"), "utf8")) as Record<string, unknown>;
    delete c.name;
    const file = join(dir, "unnamed.json");
    writeFileSync(file, JSON.stringify({ ...c, tree: { terminals: 6000 }, transport: undefined, dose: { voxelMm: 4 } }));
    for (const i of [0, 1]) {
      const r = sirtsim("simulate", relative(root, file), "--shard", `${i}/2`, "--out", join(dir, `un${i}`), "--workers", "1");
      expect(r.code, r.stderr).toBe(0);
    }
    const merged = sirtsim("merge", join(dir, "un0"), join(dir, "un1"), "--out", join(dir, "un-merged"), "--workers", "1", "--json");
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout).name).toBe("unnamed.json");
  });
});

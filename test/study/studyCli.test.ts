/** `sirtsim study` input errors through the real CLI (node dist/src/cli/main.js; `npm test` builds first). */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tinyStudy } from "./tinyStudy.js";
import { parseStudyFile } from "../../src/study/studyFile.js";

const main = resolve(import.meta.dirname, "../../dist/src/cli/main.js");

function runStudyCli(study: Record<string, unknown>, extra: string[] = []): { status: number | null; stderr: string; outExists: boolean } {
  const dir = mkdtempSync(join(tmpdir(), "sirtsim-study-cli-"));
  try {
    const file = join(dir, "bad-study.json");
    writeFileSync(file, JSON.stringify(study));
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, [main, "study", file, "--out", out, "--workers", "1", ...extra], { encoding: "utf8" });
    return { status: r.status, stderr: r.stderr, outExists: existsSync(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("sirtsim study: bad study files exit 2 naming the file and field, nothing written", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["an unknown case field path", tinyStudy({ vary: [{ path: "geometry.tumours[0].tnRatoi", values: [2, 3] }] }), /vary\[0\]\.path.*tnRatoi/],
    ["a list index the base case lacks", tinyStudy({ vary: [{ path: "geometry.tumours[5].tnRatio", values: [2] }] }), /vary\[0\]\.path.*tumours\[5\] does not exist/],
    ["an out-of-range value", tinyStudy({ vary: [{ path: "lungShuntFraction", values: [0.05, 1.5] }] }), /vary\[0\]\.path.*lungShuntFraction/],
    ["an empty range", tinyStudy({ vary: [{ path: "lungShuntFraction", range: { from: 0.01, to: 0.1, steps: 0 } }] }), /vary\[0\]\.range\.steps/],
    ["an axis with both values and range", tinyStudy({ vary: [{ path: "lungShuntFraction", values: [0.05], range: { from: 0.01, to: 0.1, steps: 2 } }] }), /vary\[0\]: give one of values, range or zip, not values and range/],
    ["an axis with neither", tinyStudy({ vary: [{ path: "lungShuntFraction" }] }), /vary\[0\]: needs values, range or zip/],
    ["an empty list of values", tinyStudy({ vary: [{ path: "lungShuntFraction", values: [] }] }), /vary\[0\]\.values/],
    ["zero replicas", tinyStudy({ replicas: { trees: 0, seeds: 2 } }), /replicas\.trees/],
    ["zipped fields of unequal length", tinyStudy({ vary: [{ zip: [{ path: "lungShuntFraction", values: [0.05, 0.1] }, { path: "dose.voxelMm", values: [8] }] }] }), /vary\[0\]\.zip\[1\]/],
    ["an unknown metric", tinyStudy({ metrics: ["D71Gy"] }), /metrics\[0\]/],
    ["an unknown study key", tinyStudy({ replica: 3 }), /replica/],
    // One mask image serves every run (read once from the base case): changing it is refused.
    ["a varied mask file", tinyStudy({ vary: [{ path: "geometry.mask.file", values: ["a.nii.gz", "b.nii.gz"] }] }), /vary\[0\]\.path.*geometry\.mask\.file.*cannot change the mask file/],
    ["a mask file set for the study", tinyStudy({ set: { "geometry.mask": { file: "a.nii.gz" } } }), /set\.geometry\.mask.*cannot change the mask file/],
  ];
  for (const [what, study, field] of cases) {
    it(`${what} → exit 2`, () => {
      const r = runStudyCli(study);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(field);
      expect(r.stderr).toContain("bad-study.json");
      expect(r.outExists).toBe(false);
    });
  }

  it("simulate --replicas 1 is refused (one replica has no spread: the option would do nothing), exit 2, nothing written", () => {
    const dir = mkdtempSync(join(tmpdir(), "sirtsim-replicas-cli-"));
    try {
      const out = join(dir, "out");
      const r = spawnSync(process.execPath, [main, "simulate", join(dir, "none.json"), "--out", out, "--replicas", "1"], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--replicas.*\[2, 10000\]/);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("docs/study.md's example study file is a valid study (its embolic axis a physical parameter, not the numerical capacity override)", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "../../docs/study.md"), "utf8");
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]);
    const study = parseStudyFile({ ...example, case: resolve(import.meta.dirname, "../../fixtures/cases/net-default.json") }, resolve(import.meta.dirname, "../../docs/example-study.json"));
    expect(JSON.stringify(study.vary)).not.toContain("capacitySpheres");
    expect(JSON.stringify(study.vary)).toContain("plugLengthMm");
  });

  it("every metric docs/study.md lists is accepted in a study file's metrics (resolution.massPerTerminalMg was refused)", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "../../docs/study.md"), "utf8");
    const row = doc.split("\n").find((l) => l.startsWith("| `metrics` |"));
    const listed = [...(row ?? "").matchAll(/`([A-Za-z0-9.]+)`/g)].map((m) => m[1]).filter((n) => n !== "metrics");
    expect(listed).toContain("resolution.massPerTerminalMg");
    expect(listed.length).toBeGreaterThan(20);
    expect(() => parseStudyFile(tinyStudy({ metrics: listed }), "study.json")).not.toThrow();
  });

  it("simulate --replicas with --shard is refused (exit 2, nothing written)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sirtsim-replicas-cli-"));
    try {
      const out = join(dir, "out");
      const r = spawnSync(process.execPath, [main, "simulate", join(dir, "none.json"), "--out", out, "--replicas", "3", "--shard", "0/2"], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("--replicas");
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--executor slurm options are refused with the local executor (exit 2)", () => {
    const r = runStudyCli(tinyStudy(), ["--slices", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--slices");
  });
  it("--out holding files a study did not write (a simulate output, notes) is refused (exit 2 naming them, nothing written)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sirtsim-study-foreign-"));
    try {
      const out = join(dir, "out");
      mkdirSync(out);
      writeFileSync(join(out, "summary.json"), "{}\n");
      writeFileSync(join(out, "mynotes.txt"), "mine\n");
      const file = join(dir, "study.json");
      writeFileSync(file, JSON.stringify(tinyStudy()));
      const r = spawnSync(process.execPath, [main, "study", file, "--out", out, "--workers", "1"], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--out .* holds files a study did not write \((mynotes\.txt, summary\.json|summary\.json, mynotes\.txt)\)/);
      expect(readdirSync(out).sort()).toEqual(["mynotes.txt", "summary.json"]);
      const onFile = spawnSync(process.execPath, [main, "study", file, "--out", join(out, "mynotes.txt"), "--workers", "1"], { encoding: "utf8" });
      expect(onFile.status).toBe(2);
      expect(onFile.stderr).toContain("is a file; name a folder for the study");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `sirtsim simulate` and `sirtsim merge` through the real CLI (dist/, built by `npm test`'s
 * pretest): the files a user opens, the one-JSON-document rule, exit codes, and shards that merge
 * into the single run's outputs byte for byte.
 */

import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSirtsim } from "../helpers/cli.js";
import { smallCase } from "../pipeline/smallCase.js";

let dir: string;
let casePath: string;

const sirtsim = (...args: string[]) => runSirtsim(args);

const hash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-simulate-"));
  casePath = join(dir, "case.json");
  writeFileSync(casePath, JSON.stringify(smallCase({ tree: { terminals: 3000, seed: 5 } })));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sirtsim simulate", () => {
  it("writes the summary, dose, DVH, tree and report, and prints one JSON document with --json", () => {
    const out = join(dir, "whole");
    const r = sirtsim("simulate", casePath, "--out", out, "--json", "--workers", "1");
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(["activityGBq", "spheresInjected", "compartments", "lung", "partitionModel", "seed", "provenance"]));
    for (const name of ["right", "left", "normal"]) {
      expect(Object.keys(summary.compartments[name])).toEqual(expect.arrayContaining(["meanDoseGy", "D70Gy", "V100", "spheres", "radiobiology"]));
      expect(summary.partitionModel[name].meanDoseGy).toBeGreaterThan(0);
    }
    for (const f of ["summary.json", "dose.nii.gz", "dvh.csv", "tree.vtp", "report.html", "lodged.bin", "tree.bin"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readdirSync(dir).filter((n) => n.includes("staging"))).toEqual([]);
    // The flow model has no sub-terminal continuation: the study did not cover it, and the run says so.
    expect(summary.resolution).toMatchObject({ terminals: 3000, band: "not-studied" });
    expect(summary.resolution.note).toMatch(/heterogeneity model flow/);
  });

  it("says on stderr, in summary.json and in the report when the tree is coarser than the resolution study found converged", () => {
    const out = join(dir, "coarse");
    const fractalPath = join(dir, "fractal.json");
    writeFileSync(fractalPath, JSON.stringify(smallCase({ tree: { terminals: 3000, seed: 5 }, transport: { embolic: { enabled: false }, heterogeneity: { model: "fractal" } } })));
    const r = sirtsim("simulate", fractalPath, "--out", out, "--workers", "1");
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    // 3,000 terminals of a 1.6 kg liver: 545 mg per terminal.
    expect(summary.resolution.band).toBe("coarser");
    expect(summary.resolution.massPerTerminalMg).toBeCloseTo(545, -1);
    expect(summary.resolution.note).toMatch(/^tree resolution 3,000 terminals, 5\d\d mg of tissue per terminal: .* within 2 % .* only between 16 and 41 mg per terminal; .* Use at least 39,\d{3} terminals/);
    expect(r.stderr).toContain(`note: ${summary.resolution.note}`);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("only between 16 and 41 mg per terminal");
  });

  it("re-runs the dose stage from the tree and transport outputs of an earlier run with the same result", () => {
    const out = join(dir, "rerun");
    const r = sirtsim("simulate", casePath, "--out", out, "--tree", join(dir, "whole", "tree.bin"), "--lodged", join(dir, "whole", "lodged.bin"));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/tissue\s+α\/β Gy\s+T_rep h\s+α \/Gy\s+BED Gy\s+EUD Gy/);
    expect(hash(join(out, "summary.json"))).toBe(hash(join(dir, "whole", "summary.json")));
    expect(hash(join(out, "dose.nii.gz"))).toBe(hash(join(dir, "whole", "dose.nii.gz")));
  });

  // 3000 terminals: 5999 segments, two work units of 4096 segments, so at most 2 shards.
  it("2 shards merged give the single run's files byte for byte", () => {
    const shardDirs = [0, 1].map((i) => join(dir, `shard${i}`));
    shardDirs.forEach((d, i) => {
      const r = sirtsim("simulate", casePath, "--out", d, "--shard", `${i}/2`);
      expect(r.code, r.stderr).toBe(0);
    });
    const merged = join(dir, "merged");
    const r = sirtsim("merge", ...shardDirs, "--out", merged);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["summary.json", "dose.nii.gz", "dvh.csv", "report.html", "tree.bin", "lodged.bin"]) expect(hash(join(merged, f)), f).toBe(hash(join(dir, "whole", f)));
    const missing = sirtsim("merge", shardDirs[1], "--out", join(dir, "bad"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shards 0\/2 are missing/);
  });

  it("invalid input exits 2 with one line naming the field, and writes nothing", () => {
    const bad = join(dir, "bad.json");
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [smallCase({ injection: { activityGBq: 3 } }), /injection\.activityGBq/],
      [smallCase({ seed: 1.5 }), /seed must be an integer/],
      [smallCase({ dose: { voxelMm: 20 } }), /dose\.voxelMm/],
      [smallCase({ lungShuntFraction: 1.2 }), /lungShuntFraction/],
      [smallCase({ tree: { terminals: 1 } }), /tree\.terminals/],
    ];
    for (const [json, message] of cases) {
      writeFileSync(bad, JSON.stringify(json));
      const out = join(dir, "never");
      const r = sirtsim("simulate", bad, "--out", out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
    expect(sirtsim("simulate", casePath, "--out", join(dir, "x"), "--shard", "3/3").code).toBe(2);
    expect(sirtsim("simulate", casePath, "--out", join(dir, "x"), "--shard", "0/3").code).toBe(2);
    expect(sirtsim("simulate", casePath, "--out", join(dir, "x"), "--workers", "0").code).toBe(2);
  });
});

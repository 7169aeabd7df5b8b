/**
 * Worker threads through the real CLI (dist/, built by `npm test`'s pretest): the files of
 * `sirtsim simulate`, `transport` and `dose` are byte-identical for --workers 1, 2 and 4 (transport
 * units, lodging-position blocks and FFT slabs on threads); a failing
 * work unit exits 1 naming the unit and leaves no output; Ctrl-C leaves no output and exits 130.
 * SIRTSIM_MIN_TASK_VISITS=0 makes the transport dispatch every batch to the threads, however small
 * the tree (by default small batches run on the main thread).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallCase } from "../pipeline/smallCase.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "dist/src/cli/main.js");
let dir: string;
let casePath: string;

function sirtsim(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, SIRTSIM_DEBUG: "", SIRTSIM_MIN_TASK_VISITS: "0", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const noStaging = () => readdirSync(dir).filter((n) => n.includes("staging"));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-workers-"));
  casePath = join(dir, "case.json");
  // Small and quick: 1,500 terminals, ~4.4 M spheres, 5 mm dose voxels.
  writeFileSync(casePath, JSON.stringify(smallCase({ tree: { terminals: 1500, seed: 5 }, target: { compartment: "normal", doseGy: 8 }, dose: { voxelMm: 5 } })));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--workers N", () => {
  it("sirtsim simulate writes byte-identical files for --workers 1, 2 and 4", () => {
    for (const workers of ["1", "2", "4"]) {
      const r = sirtsim({}, "simulate", casePath, "--out", join(dir, `w${workers}`), "--workers", workers, "--json");
      expect(r.code, r.stderr).toBe(0);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
    for (const f of ["summary.json", "dose.nii.gz", "dvh.csv", "report.html", "lodged.bin", "tree.bin", "transport.json"]) {
      if (!existsSync(join(dir, "w1", f))) continue;
      expect(hash(join(dir, "w2", f)), f).toBe(hash(join(dir, "w1", f)));
      expect(hash(join(dir, "w4", f)), f).toBe(hash(join(dir, "w1", f)));
    }
    expect(existsSync(join(dir, "w1", "dose.nii.gz"))).toBe(true);
  });

  it("sirtsim transport and sirtsim dose write byte-identical files for --workers 1 and 2", () => {
    for (const workers of ["1", "2"]) {
      const t = sirtsim({}, "transport", casePath, "--out", join(dir, `transport${workers}`), "--workers", workers, "--terminals", "1500");
      expect(t.code, t.stderr).toBe(0);
      const d = sirtsim({}, "dose", join(dir, "w1", "dose.nii.gz"), "--administered-gbq", "2", "--out", join(dir, `dose${workers}`), "--workers", workers);
      expect(d.code, d.stderr).toBe(0);
    }
    expect(hash(join(dir, "transport2", "terminals.csv"))).toBe(hash(join(dir, "transport1", "terminals.csv")));
    for (const f of ["dose.nii.gz", "dvh.csv"]) expect(hash(join(dir, "dose2", f)), f).toBe(hash(join(dir, "dose1", f)));
  });

  it("rejects --workers 0 with exit 2 and a message naming --workers", () => {
    const r = sirtsim({}, "simulate", casePath, "--out", join(dir, "bad-workers"), "--workers", "0");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers must be an integer in \[1, 256\]/);
  });
});

describe("a failing work unit", () => {
  const planted: Array<[string, string, RegExp]> = [
    ["2", "transport/batch-3/subtree-*", /work unit transport\/batch-3\/subtree-\d+ failed: planted failure/],
    ["1", "transport/batch-0/subtree-*", /work unit transport\/batch-0\/subtree-\d+ failed: planted failure/],
    ["2", "dose/convolve/*", /work unit dose\/convolve\/rows-\d+-\d+ failed: planted failure/],
    ["2", "positions/block-0", /work unit positions\/block-0 failed: planted failure/],
  ];
  for (const [workers, unit, message] of planted) {
    it(`exits 1 naming the unit and writes nothing (${unit}, --workers ${workers})`, () => {
      const out = join(dir, `failed-${workers}-${unit.replace(/[/*]/g, "_")}`);
      const r = sirtsim({ SIRTSIM_FAIL_UNIT: unit }, "simulate", casePath, "--out", out, "--workers", workers, "--tree", join(dir, "w1", "tree.bin"));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
      expect(noStaging()).toEqual([]);
    });
  }
});

describe("Ctrl-C", () => {
  it("SIGINT after the transport stage stops the run with exit 130, no output and no staging directory", async () => {
    const out = join(dir, "interrupted");
    const child = spawn(process.execPath, [main, "simulate", casePath, "--out", out, "--workers", "2", "--tree", join(dir, "w1", "tree.bin")], {
      cwd: root,
      env: { ...process.env, SIRTSIM_DEBUG: "" },
    });
    let stderr = "";
    let sent = false;
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      // The transport line is printed when the dose stage starts.
      if (!sent && /transport: \d+ spheres/.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await exit;
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted \(SIGINT\): no output written/);
    expect(existsSync(out)).toBe(false);
    expect(noStaging()).toEqual([]);
  });
});

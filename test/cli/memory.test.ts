/**
 * The memory estimate through the real CLI (issue 19 §2): runs whose estimate exceeds
 * --max-memory are refused with exit 2 and the estimate before any work (no "tree:" progress,
 * nothing written), and the estimate of a small run bounds its measured peak RSS from above,
 * within a factor 2 (bench/memory.md: 1.20–1.65× over 2e3–1e6 terminals, 4–0.8 mm voxels).
 * The peak RSS is the child's own process.resourceUsage().maxRSS, printed at exit by a preloaded
 * module, so the test needs no /usr/bin/time.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallCase } from "../pipeline/smallCase.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { estimateCaseMemory } from "../../src/pipeline/memory.js";
import { sirtsim as run } from "./helpers/run.js";

let dir: string;
let preload: string;

function sirtsim(...args: string[]) {
  const r = run(args, ["--import", pathToFileURL(preload).href]);
  const m = /MAXRSS_KIB (\d+)/.exec(r.stderr);
  return { ...r, stderr: r.stderr.replace(/MAXRSS_KIB \d+\n/, ""), maxRssBytes: m ? Number(m[1]) * 1024 : NaN };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-memory-"));
  preload = join(dir, "maxrss.mjs");
  writeFileSync(preload, 'process.on("exit", () => process.stderr.write(`MAXRSS_KIB ${process.resourceUsage().maxRSS}\\n`));\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCase(name: string, overrides: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(smallCase(overrides)));
  return file;
}

describe("memory bounded and predicted before work", () => {
  it("simulate refuses tree.terminals 5e7 under --max-memory 16 GiB with exit 2 and the estimate, before growing the tree", () => {
    const file = writeCase("terminals", { tree: { terminals: 50_000_000, seed: 3 } });
    const out = join(dir, "out-terminals");
    const r = sirtsim("simulate", file, "--out", out, "--workers", "1", "--max-memory", "16 GiB");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error: --max-memory: this run needs an estimated 98\.0 GiB of memory \(tree and transport \(50,000,000 terminals\): 97\.8 GiB.*above the limit of 16\.0 GiB.*raise --max-memory/);
    expect(r.stderr).not.toMatch(/^tree:/m);
    expect(existsSync(out)).toBe(false);
  });

  it("simulate refuses dose.voxelMm 0.2 over a whole liver (dose grids and FFT named) and tree refuses --terminals 5e7", () => {
    const file = writeCase("voxel", { dose: { voxelMm: 0.2 } });
    const r = sirtsim("simulate", file, "--out", join(dir, "out-voxel"), "--workers", "1", "--max-memory", "16 GiB");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/needs an estimated \d+\.\d GiB of memory \(dose grids \(\d+×\d+×\d+ voxels of 0\.2 mm\): .*FFT convolution/);
    const t = sirtsim("tree", file, "--out", join(dir, "out-tree"), "--terminals", "50000000", "--max-memory", "16 GiB");
    expect(t.code, t.stderr).toBe(2);
    expect(t.stderr).toMatch(/Reduce tree\.terminals \(or --terminals\)/);
    expect(existsSync(join(dir, "out-tree"))).toBe(false);
  });

  it("plan of a selective injection (it grows the tree to find the territory) refuses tree.terminals 5e7 under --max-memory 16 GiB before growing", () => {
    const file = writeCase("plan-selective", { tree: { terminals: 50_000_000, seed: 3 }, injection: { entryPoint: "right-hepatic" } });
    const r = sirtsim("plan", file, "--max-memory", "16 GiB");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/needs an estimated \d+(\.\d)? GiB of memory/);
    expect(r.stderr).not.toMatch(/growing the tree/);
    // A bad --max-memory is refused on a plan that grows no tree too (the option is parsed first).
    const whole = sirtsim("plan", writeCase("plan-whole", {}), "--max-memory", "lots");
    expect(whole.code).toBe(2);
    expect(whole.stderr).toMatch(/--max-memory/);
  });

  it("--max-memory takes unit strings and refuses nonsense with exit 2", () => {
    const file = writeCase("bad-option", {});
    const r = sirtsim("simulate", file, "--out", join(dir, "out-bad"), "--max-memory", "lots");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-memory must be a memory size of at least 64 MiB, like "8 GiB"/);
  });

  it("the estimate of a small simulate run is above its measured peak RSS, by less than 2×", () => {
    const overrides = { tree: { terminals: 2000, seed: 3 } };
    const file = writeCase("small", overrides);
    const estimate = estimateCaseMemory(loadSimulationCase(smallCase(overrides), file)).bytes;
    const r = sirtsim("simulate", file, "--out", join(dir, "out-small"), "--workers", "1", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.maxRssBytes).toBeGreaterThan(50 * 1024 ** 2);
    expect(estimate).toBeGreaterThanOrEqual(r.maxRssBytes);
    expect(estimate).toBeLessThan(2 * r.maxRssBytes);
  });
  it("counts the fractal model's sub-terminal cells (liver box / unit mass × 16 B), and none for the flow model (unit test)", () => {
    const file = writeCase("cells", {});
    const fractal = estimateCaseMemory(loadSimulationCase(smallCase({ transport: { heterogeneity: { model: "fractal" } } }), file));
    const flow = estimateCaseMemory(loadSimulationCase(smallCase({ transport: { heterogeneity: { model: "flow" } } }), file));
    const tenth = estimateCaseMemory(loadSimulationCase(smallCase({ transport: { heterogeneity: { model: "fractal", unitMassMg: 0.1 } } }), file));
    const cells = (e: typeof fractal) => e.parts.find((p) => p.name.startsWith("sub-terminal cells"))?.bytes ?? 0;
    expect(cells(flow)).toBe(0);
    expect(cells(fractal)).toBeGreaterThan(0);
    expect(cells(tenth) / cells(fractal)).toBeCloseTo(10, 9);
    expect(fractal.bytes - flow.bytes).toBeCloseTo(cells(fractal), 3);
  });
});

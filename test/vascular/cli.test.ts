import { afterAll, describe, expect, it, vi } from "vitest";
import { mkdtemp, readFile, rm, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTree } from "../../src/cli/commands/tree.js";
import { deserializeTree } from "../../src/vascular/export.js";
import { InputError } from "../../src/errors.js";

describe("sirtsim tree", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("writes tree.vtp, tree.bin and tree.json and prints one JSON summary with the contract's keys", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-tree-"));
    dirs.push(dir);
    const casePath = join(dir, "case.json");
    await writeFile(casePath, JSON.stringify({ geometry: { tumours: [{ name: "t1", centerMm: [40, 10, 0], radiusMm: 15, tnRatio: 3 }] }, tree: { terminals: 800, optimisedTerminals: 200 } }));
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    try {
      await runTree(casePath, { out: join(dir, "out"), json: true, seed: "9" });
    } finally {
      spy.mockRestore();
    }
    const summary = JSON.parse(chunks.join(""));
    expect(Object.keys(summary).sort()).toEqual(
      ["generations", "murrayExponent", "perfusedVolumeMl", "rootFlowMlPerMin", "rootRadiusMm", "seed", "segments", "terminals", "tumourFlowFraction"].sort(),
    );
    expect(summary.terminals).toBe(800);
    expect(summary.segments).toBe(1599);
    expect(summary.seed).toBe(9);
    expect((await readdir(join(dir, "out"))).sort()).toEqual(["tree.bin", "tree.json", "tree.vtp"]);
    const tree = deserializeTree(new Uint8Array(await readFile(join(dir, "out", "tree.bin"))));
    expect(tree.segmentCount).toBe(1599);
  });

  it("rejects an invalid tree section with an InputError and writes nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-tree-"));
    dirs.push(dir);
    const casePath = join(dir, "case.json");
    await writeFile(casePath, JSON.stringify({ tree: { murrayExponent: 9 } }));
    await expect(runTree(casePath, { out: join(dir, "out") })).rejects.toThrow(InputError);
    expect(await readdir(dir)).toEqual(["case.json"]);
  });
});

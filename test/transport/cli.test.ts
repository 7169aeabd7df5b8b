import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTransport } from "../../src/cli/commands/transport.js";
import { InputError } from "../../src/errors.js";

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function caseFile(body: unknown): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-transport-"));
  dirs.push(dir);
  const file = join(dir, "case.json");
  await writeFile(file, JSON.stringify(body));
  return { dir, file };
}

const body = {
  geometry: { tumours: [{ name: "T1", centerMm: [40, 10, 0], radiusMm: 20, tnRatio: 4 }] },
  tree: { terminals: 1500, optimisedTerminals: 100 },
  injection: { product: "therasphere", activityGBq: 0.5, lungShuntFraction: 0.05 },
};

describe("sirtsim transport CASE --out DIR --json", () => {
  it("prints one JSON document whose compartments add up to the injected spheres and writes terminals.csv", async () => {
    const { dir, file } = await caseFile(body);
    let stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    await runTransport(file, { out: join(dir, "out"), json: true, seed: "4" });
    const doc = JSON.parse(stdout) as { spheresInjected: number; spheres: Record<string, number>; seed: number; stasis: boolean };
    expect(doc.spheresInjected).toBe(200_000); // 0.5 GBq of 2500 Bq glass spheres
    expect(Object.values(doc.spheres).reduce((a, b) => a + b, 0)).toBe(doc.spheresInjected);
    expect(Object.keys(doc.spheres).sort()).toEqual(["T1", "lung", "normal", "reflux"]);
    expect(doc.seed).toBe(4);
    const csv = (await readFile(join(dir, "out", "terminals.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toBe("segment,compartment,spheres");
    const lodged = csv.slice(1).reduce((s, line) => s + Number(line.split(",")[2]), 0);
    expect(lodged).toBeLessThanOrEqual(doc.spheresInjected - doc.spheres.lung - doc.spheres.reflux);
  });

  it("rejects an invalid transport option with an InputError naming the field", async () => {
    const { dir, file } = await caseFile({ ...body, transport: { bias: 2 } });
    await expect(runTransport(file, { out: join(dir, "out"), json: true })).rejects.toThrow(InputError);
    await expect(runTransport(file, { out: join(dir, "out"), json: true })).rejects.toThrow(/transport\.bias/);
  });
});

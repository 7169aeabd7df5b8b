/**
 * Properties of `sirtsim merge` (issue 19), fast-check over the real CLI (dist/, built by
 * `npm test`'s pretest) and the decoders merge calls:
 * - merging the shards of a run given in any order gives the single run's files byte for byte;
 * - any single-byte change of a shard's counts.bin, tree.bin or lodged.bin is refused (exit 2 /
 *   InputError naming the file), never merged into a dose.
 * The case has 4,200 terminals: 8,399 segments, three work units of 4096 segments, so 3 shards.
 */

import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSirtsim } from "../helpers/cli.js";
import { smallCase } from "../pipeline/smallCase.js";
import { InputError } from "../../src/errors.js";
import { decodeCountsFile, decodeLodgedFile, decodeTreeFile } from "../../src/pipeline/stageFiles.js";

let dir: string;
const SHARDS = ["s0", "s1", "s2"];

const sirtsim = (...args: string[]) => runSirtsim(args, dir);
const hash = (file: string) => createHash("sha256").update(readFileSync(join(dir, file))).digest("hex");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-mergeprop-"));
  writeFileSync(join(dir, "case.json"), JSON.stringify(smallCase({ tree: { terminals: 4200, seed: 5 }, target: { compartment: "normal", doseGy: 2 }, dose: { voxelMm: 8 } })));
  const whole = sirtsim("simulate", "case.json", "--out", "whole", "--workers", "1");
  if (whole.code !== 0) throw new Error(whole.stderr);
  SHARDS.forEach((s, i) => {
    const r = sirtsim("simulate", "case.json", "--out", s, "--shard", `${i}/3`, "--tree", "whole/tree.bin", "--lodged", "whole/lodged.bin", "--workers", "1");
    if (r.code !== 0) throw new Error(r.stderr);
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sirtsim merge (fast-check)", () => {
  it("merging the 3 shards in any order gives the single run's files byte for byte", () => {
    let run = 0;
    fc.assert(
      fc.property(fc.shuffledSubarray(SHARDS, { minLength: 3, maxLength: 3 }), (order) => {
        const out = `merged${run++}`;
        const r = sirtsim("merge", ...order, "--out", out, "--workers", "1");
        expect(r.code, r.stderr).toBe(0);
        for (const f of ["summary.json", "dose.nii.gz", "dvh.csv", "report.html", "tree.bin", "lodged.bin", "transport.json"]) expect(hash(join(out, f)), `${order.join(" ")}: ${f}`).toBe(hash(join("whole", f)));
        rmSync(join(dir, out), { recursive: true });
      }),
      { numRuns: 3, seed: 19 },
    );
  });

  it("any single-byte change of a shard's counts.bin, tree.bin or lodged.bin is refused by the decoders merge uses", () => {
    const files = {
      "counts.bin": new Uint8Array(readFileSync(join(dir, "s1", "counts.bin"))),
      "tree.bin": new Uint8Array(readFileSync(join(dir, "s1", "tree.bin"))),
      "lodged.bin": new Uint8Array(readFileSync(join(dir, "s1", "lodged.bin"))),
    };
    const transportText = readFileSync(join(dir, "s1", "transport.json"), "utf8");
    const decode: Record<keyof typeof files, (b: Uint8Array) => unknown> = {
      "counts.bin": (b) => decodeCountsFile(b, "counts.bin"),
      "tree.bin": (b) => decodeTreeFile(b, "tree.bin"),
      "lodged.bin": (b) => decodeLodgedFile(b, transportText, "lodged.bin", "transport.json"),
    };
    // Unchanged files decode (the property's baseline).
    for (const name of Object.keys(files) as Array<keyof typeof files>) expect(() => decode[name](files[name])).not.toThrow();
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(files) as Array<keyof typeof files>)), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 255 }), (name, where, xor) => {
        const bytes = files[name].slice();
        const at = Math.floor(where * bytes.length);
        bytes[at] ^= xor;
        expect(() => decode[name](bytes), `${name} byte ${at} ^ ${xor}`).toThrow(InputError);
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it("a single-byte change of counts.bin through the CLI: exit 2 naming the file, nothing written", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 255 }), (where, xor) => {
        rmSync(join(dir, "bad-shard"), { recursive: true, force: true });
        cpSync(join(dir, "s2"), join(dir, "bad-shard"), { recursive: true });
        const file = join(dir, "bad-shard", "counts.bin");
        const bytes = readFileSync(file);
        bytes[Math.floor(where * bytes.length)] ^= xor;
        writeFileSync(file, bytes);
        const r = sirtsim("merge", "s0", "s1", "bad-shard", "--out", "bad");
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/bad-shard\/counts\.bin/);
        expect(existsSync(join(dir, "bad"))).toBe(false);
      }),
      { numRuns: 2, seed: 19 },
    );
  });
});

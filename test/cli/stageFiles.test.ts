/**
 * Issue 19, "nothing silently wrong": every stage file a later run reads back (tree.bin, lodged.bin
 * + transport.json, a shard's counts.bin + shard.json) is checked, through the real CLI (dist/,
 * built by `npm test`'s pretest). Each tampered or foreign input exits 2 with a message naming the
 * file and the field, and writes nothing. The attacks replay those measured in the issue.
 */

import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSirtsim } from "../helpers/cli.js";
import { smallCase } from "../pipeline/smallCase.js";
import { decodeCountsFile, encodeCountsFile } from "../../src/pipeline/stageFiles.js";

let dir: string;
let casePath: string;

const sirtsim = (...args: string[]) => runSirtsim(args, dir);

/** A copy of shard folder `from` as `to`, with `edit` applied to the parsed shard.json. */
function editedShard(from: string, to: string, edit: (m: Record<string, any>) => void): string {
  rmSync(join(dir, to), { recursive: true, force: true });
  cpSync(join(dir, from), join(dir, to), { recursive: true });
  const file = join(dir, to, "shard.json");
  const m = JSON.parse(readFileSync(file, "utf8"));
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
  return to;
}

/** Exit 2, one error line matching `message`, and `out` not created. */
function refused(r: ReturnType<typeof sirtsim>, message: RegExp, out: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
  expect(existsSync(join(dir, out))).toBe(false);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-stage-"));
  casePath = join(dir, "case.json");
  // 2,100 terminals: 4,199 segments, two work units of 4096 segments; ~2 M spheres; 6 mm voxels.
  writeFileSync(casePath, JSON.stringify(smallCase({ tree: { terminals: 2100, seed: 5 }, target: { compartment: "normal", doseGy: 4 }, dose: { voxelMm: 6 } })));
  const whole = sirtsim("simulate", casePath, "--out", "whole", "--workers", "1");
  if (whole.code !== 0) throw new Error(whole.stderr);
  for (const i of [0, 1]) {
    const r = sirtsim("simulate", casePath, "--out", `s${i}`, "--shard", `${i}/2`, "--tree", "whole/tree.bin", "--lodged", "whole/lodged.bin", "--workers", "1");
    if (r.code !== 0) throw new Error(r.stderr);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sirtsim merge refuses shards that are not one whole run", () => {
  it("accepts the two real shards (the baseline the attacks below change)", () => {
    const r = sirtsim("merge", "s1", "s0", "--out", "merged", "--workers", "1");
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["summary.json", "dose.nii.gz", "tree.bin", "lodged.bin", "transport.json"]) {
      expect(readFileSync(join(dir, "merged", f)).equals(readFileSync(join(dir, "whole", f))), f).toBe(true);
    }
  });

  for (const index of [5, 1.5, -1]) {
    it(`a copy of a shard whose shard.json says index ${index}`, () => {
      const copy = editedShard("s1", `index${index}`, (m) => (m.shard.index = index));
      refused(sirtsim("merge", "s0", "s1", copy, "--out", "bad"), new RegExp(`${copy}/shard\\.json differs from the checked manifest in ${copy}/counts\\.bin: shard\\.index: shard\\.json ${index}, counts\\.bin header 1`), "bad");
    });
  }

  it("a shard given twice, a missing shard", () => {
    refused(sirtsim("merge", "s0", "s0", "--out", "bad"), /s0\/counts\.bin: shard 0\/2 is given twice/, "bad");
    refused(sirtsim("merge", "s0", "--out", "bad"), /shards 1\/2 are missing \(1 of 2 given\)/, "bad");
  });

  for (const count of [0, 1]) {
    it(`one shard alone whose shard.json says count ${count}`, () => {
      const copy = editedShard("s1", `count${count}`, (m) => {
        m.shard.count = count;
        m.shard.index = 0;
      });
      refused(sirtsim("merge", copy, "--out", "bad"), new RegExp(`${copy}/shard\\.json differs .*shard\\.count: shard\\.json ${count}, counts\\.bin header 2`), "bad");
    });
  }

  const fields: Array<[string, (m: Record<string, any>) => void, RegExp]> = [
    ["grid.originMm", (m) => (m.grid.originMm[0] += 6), /grid\.originMm\[0\]: shard\.json -?\d+(\.\d+)?, counts\.bin header/],
    ["outsideGridSpheres", (m) => (m.outsideGridSpheres += 1000), /outsideGridSpheres: shard\.json 1000, counts\.bin header 0/],
    ["spheresDeposited", (m) => (m.spheresDeposited *= 2), /spheresDeposited: shard\.json \d+, counts\.bin header \d+/],
  ];
  for (const [field, edit, message] of fields) {
    it(`an edited ${field} in shard.json`, () => {
      refused(sirtsim("merge", "s0", editedShard("s1", field, edit), "--out", "bad"), message, "bad");
    });
  }

  it("one edited voxel of counts.bin (checksum), and a flipped exponent bit", () => {
    for (const [name, offset, xor] of [["voxel", 8 + 8 * 1234 + 6, 0x01], ["exponent", 8 + 8 * 77 + 7, 0x40]] as const) {
      const copy = editedShard("s1", name, () => {});
      const file = join(dir, copy, "counts.bin");
      const bytes = readFileSync(file);
      bytes[offset] ^= xor;
      writeFileSync(file, bytes);
      refused(sirtsim("merge", "s0", copy, "--out", "bad"), new RegExp(`${copy}/counts\\.bin: checksum mismatch`), "bad");
    }
  });

  it("a counts.bin re-written with a consistent header and checksum but another shard's grid (what no checksum catches)", () => {
    // Shard 0's counts relabelled as shard 1: headers, checksums and shard.json all agree, but the
    // spheres do not add up to the lodged counts of shard 1's work units.
    const forged = editedShard("s1", "forged", () => {});
    const real0 = decodeCountsFile(new Uint8Array(readFileSync(join(dir, "s0", "counts.bin"))), "s0/counts.bin");
    const real1 = decodeCountsFile(new Uint8Array(readFileSync(join(dir, "s1", "counts.bin"))), "s1/counts.bin");
    const manifest = { ...real1.manifest, spheresDeposited: real0.manifest.spheresDeposited, outsideGridSpheres: real0.manifest.outsideGridSpheres };
    writeFileSync(join(dir, forged, "counts.bin"), encodeCountsFile(real0.counts, manifest));
    writeFileSync(join(dir, forged, "shard.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    refused(sirtsim("merge", "s0", forged, "--out", "bad"), /forged\/counts\.bin: \d+ spheres in the grid \+ 0 outside .* but the work units of shard 1\/2 lodged \d+/, "bad");
  });

  it("an edited spheresInjected in a shard's transport.json", () => {
    const copy = editedShard("s0", "injected", () => {});
    const file = join(dir, copy, "transport.json");
    writeFileSync(file, readFileSync(file, "utf8").replace(/"spheresInjected": \d+/, '"spheresInjected": 44000000'));
    refused(sirtsim("merge", copy, "s1", "--out", "bad"), /injected\/transport\.json does not belong to injected\/lodged\.bin/, "bad");
  });

  it("shards of two different runs (another seed)", () => {
    const r = sirtsim("simulate", casePath, "--out", "seed9", "--seed", "9", "--shard", "1/2", "--tree", "whole/tree.bin", "--workers", "1");
    expect(r.code, r.stderr).toBe(0);
    refused(sirtsim("merge", "s0", "seed9", "--out", "bad"), /seed9\/counts\.bin comes from another run than s0\/counts\.bin: caseSha256: .*lodgedSha256: .*seed: seed9\/counts\.bin 9, s0\/counts\.bin 11/, "bad");
  });
});

describe("sirtsim simulate --shard, --tree and --lodged refuse what does not belong to the case", () => {
  it("--shard 0/100000000 is refused before any work, naming the bound", () => {
    refused(sirtsim("simulate", casePath, "--out", "bad", "--shard", "0/100000000"), /--shard 0\/100000000: n must be at most 2, the work units of this run .*4199 segments/, "bad");
  });

  it("a lodged.bin of another run (another seed) and one whose transport.json was edited", () => {
    refused(sirtsim("simulate", casePath, "--out", "bad", "--lodged", "seed9/lodged.bin", "--workers", "1"), /--lodged seed9\/lodged\.bin was made for another transport .*seed: file 9, this run 11/, "bad");
    refused(sirtsim("simulate", casePath, "--out", "bad", "--lodged", "injected/lodged.bin", "--workers", "1"), /transport\.json does not belong to --lodged injected\/lodged\.bin/, "bad");
  });

  it("a lodged.bin computed on another tree, even with the same seed", () => {
    const other = join(dir, "other.json");
    writeFileSync(other, JSON.stringify(smallCase({ tree: { terminals: 60, seed: 5 }, target: { compartment: "normal", doseGy: 4 }, dose: { voxelMm: 6 } })));
    const r = sirtsim("simulate", other, "--out", "small", "--workers", "1");
    expect(r.code, r.stderr).toBe(0);
    refused(sirtsim("simulate", casePath, "--out", "bad", "--lodged", "small/lodged.bin", "--tree", "whole/tree.bin"), /--lodged small\/lodged\.bin was made for another transport .*treeSha256: file "[0-9a-f]+", this run "[0-9a-f]+"/, "bad");
    // Without --tree: refused from the tree inputs in lodged.bin's header, before the tree is grown.
    const early = sirtsim("simulate", casePath, "--out", "bad", "--lodged", "small/lodged.bin", "--workers", "1");
    refused(early, /--lodged small\/lodged\.bin was made for another transport .*tree\.terminals: file 60, this run 2100/, "bad");
    expect(early.stderr).not.toMatch(/grown in/);
  });

  it("a tree.bin of another case names the terminal count and seed of both", () => {
    refused(sirtsim("simulate", casePath, "--out", "bad", "--tree", "small/tree.bin"), /--tree small\/tree\.bin was made for another tree .*tree\.terminals: file 60, this run 2100/, "bad");
    const tree = sirtsim("tree", casePath, "--out", "grown", "--terminals", "60", "--seed", "8");
    expect(tree.code, tree.stderr).toBe(0);
    refused(sirtsim("simulate", casePath, "--out", "bad", "--tree", "grown/tree.bin"), /tree\.seed: file 8, this run 5; tree\.terminals: file 60, this run 2100/, "bad");
  });

  it("a tree.bin from `sirtsim tree` of the same case is accepted by simulate --tree", () => {
    const other = join(dir, "other.json");
    const tree = sirtsim("tree", other, "--out", "tree60");
    expect(tree.code, tree.stderr).toBe(0);
    const r = sirtsim("simulate", other, "--out", "from-tree", "--tree", "tree60/tree.bin", "--workers", "1");
    expect(r.code, r.stderr).toBe(0);
  });

  it("an edited byte of tree.bin, and a tree.bin without a stage header", () => {
    cpSync(join(dir, "whole", "tree.bin"), join(dir, "edited-tree.bin"));
    const bytes = readFileSync(join(dir, "edited-tree.bin"));
    bytes[4000] ^= 0x10;
    writeFileSync(join(dir, "edited-tree.bin"), bytes);
    refused(sirtsim("simulate", casePath, "--out", "bad", "--tree", "edited-tree.bin"), /--tree edited-tree\.bin: checksum mismatch/, "bad");
    // The payload alone (serializeTree's bytes, as sirtsim wrote tree.bin before stage headers).
    const full = readFileSync(join(dir, "whole", "tree.bin"));
    writeFileSync(join(dir, "bare-tree.bin"), full.subarray(0, full.length - 44 - full.readUInt32LE(full.length - 44)));
    refused(sirtsim("simulate", casePath, "--out", "bad", "--tree", "bare-tree.bin"), /--tree bare-tree\.bin: not a sirtsim tree file with a stage header/, "bad");
  });
});

/**
 * Unit tests (true by construction of the block size) of the shard bound docs/parallel.md states:
 * a tree of T terminals has ⌈(2T − 1) / 4096⌉ work units, and `--shard i/n` needs n ≤ that.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { checkShardCount, parseShard, workUnitCount } from "../../src/parallel/shard.js";

describe("shards", () => {
  it("workUnitCount(2T − 1): 1 up to 2048 terminals, 2 from 2049, 49 for 100 000, 733 for 1.5 M (docs/parallel.md)", () => {
    expect(workUnitCount(2 * 2048 - 1)).toBe(1);
    expect(workUnitCount(2 * 2049 - 1)).toBe(2);
    expect(workUnitCount(2 * 100_000 - 1)).toBe(49);
    expect(workUnitCount(2 * 1_500_000 - 1)).toBe(733);
  });

  it("checkShardCount refuses n above the work units, naming the bound", () => {
    expect(() => checkShardCount(parseShard("1/2"), 4199)).not.toThrow();
    expect(() => checkShardCount(parseShard("0/100000000"), 4199)).toThrow(InputError);
    expect(() => checkShardCount(parseShard("0/3"), 4199)).toThrow(/n must be at most 2/);
  });

  it("parseShard refuses n that is not a safe integer", () => {
    expect(() => parseShard("0/99999999999999999999")).toThrow(InputError);
    expect(() => parseShard("2/2")).toThrow(/0 <= i < n/);
  });
});

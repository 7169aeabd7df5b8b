/**
 * Shards: `--shard i/n` runs the work units whose index ≡ i (mod n). Because every unit has its
 * own random stream keyed by (seed, unit), a shard's units give the same partial results as in a
 * single run, and adding the partial results of all shards reproduces it bit for bit.
 *
 * A work unit is a block of SEGMENTS_PER_BLOCK (4096) tree segments, so a case whose tree has S
 * segments (2T − 1 for T terminals) has ⌈S / 4096⌉ units, and n may not exceed that: every shard
 * must have work, and an absurd n (0/100000000) is refused before any work instead of producing
 * n manifests for merge to hold.
 */
import { InputError } from "../errors.js";
import { SEGMENTS_PER_BLOCK } from "./deposit.js";

export interface Shard {
  /** 0-based shard index. */
  readonly index: number;
  readonly count: number;
}

export const WHOLE_RUN: Shard = Object.freeze({ index: 0, count: 1 });

/** Parse "i/n", 0-based like array indices (SLURM: `--array=0-(n-1)`, `--shard $SLURM_ARRAY_TASK_ID/n`). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new InputError("--shard", `--shard must look like i/n with 0 <= i < n, got ${JSON.stringify(text)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1 || index >= count) throw new InputError("--shard", `--shard must satisfy 0 <= i < n and n >= 1, got ${text}`);
  return { index, count };
}

/** Work units of a tree with `segments` segments. */
export function workUnitCount(segments: number): number {
  return Math.max(1, Math.ceil(segments / SEGMENTS_PER_BLOCK));
}

/** Refuse a split into more shards than the tree has work units. */
export function checkShardCount(shard: Shard, segments: number): void {
  const units = workUnitCount(segments);
  if (shard.count > units) {
    throw new InputError(
      "--shard",
      `--shard ${shard.index}/${shard.count}: n must be at most ${units}, the work units of this run (blocks of ${SEGMENTS_PER_BLOCK} tree segments; the tree has ${segments} segments)`,
    );
  }
}

/** Does unit number `unitIndex` belong to this shard? */
export function inShard(shard: Shard, unitIndex: number): boolean {
  return unitIndex % shard.count === shard.index;
}

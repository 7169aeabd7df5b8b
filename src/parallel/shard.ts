/**
 * Shards: `--shard i/n` runs the work units whose index ≡ i (mod n). Because every unit has its
 * own random stream keyed by (seed, unit), a shard's units give the same partial results as in a
 * single run, and adding the partial results of all shards reproduces it bit for bit.
 */
import { InputError } from "../errors.js";

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
  if (count < 1 || index >= count) throw new InputError("--shard", `--shard must satisfy 0 <= i < n and n >= 1, got ${text}`);
  return { index, count };
}

/** Does unit number `unitIndex` belong to this shard? */
export function inShard(shard: Shard, unitIndex: number): boolean {
  return unitIndex % shard.count === shard.index;
}

import { afterEach, describe, expect, it } from "vitest";
import { createPool } from "../../src/parallel/pool.js";
import "../../src/parallel/handlers.js";
import type { Task } from "../../src/parallel/tasks.js";
import { inShard, parseShard } from "../../src/parallel/shard.js";

const tasks: Task[] = Array.from({ length: 12 }, (_, i) => ({
  kind: "parallel.echo",
  unitId: `echo-${i}`,
  input: { value: i, spinIterations: (12 - i) * 20_000 },
}));

describe("createPool", () => {
  afterEach(() => {
    delete process.env.SIRTSIM_FAIL_UNIT;
  });

  it("returns results in task order, identical inline and on 2 threads", async () => {
    const inline = createPool({ workers: 1 });
    const threaded = createPool({ workers: 2 });
    try {
      const a = await inline.runAll(tasks);
      const b = await threaded.runAll(tasks);
      expect(b).toEqual(a);
      expect(a.map((r: any) => r.value)).toEqual(tasks.map((t) => (t.input as any).value));
    } finally {
      await threaded.destroy();
    }
  });

  it("reports progress once per unit", async () => {
    const seen: number[] = [];
    await createPool({ workers: 1 }).runAll(tasks, { onProgress: (done) => seen.push(done) });
    expect(seen).toEqual(tasks.map((_, i) => i + 1));
  });

  it("a failing unit rejects with an error naming the unit, inline and in a worker", async () => {
    process.env.SIRTSIM_FAIL_UNIT = "echo-5";
    await expect(createPool({ workers: 1 }).runAll(tasks)).rejects.toThrow(/work unit echo-5 failed: planted failure/);
    const threaded = createPool({ workers: 2 });
    try {
      await expect(threaded.runAll(tasks)).rejects.toThrow(/work unit echo-5 failed/);
    } finally {
      await threaded.destroy();
    }
  });

  it("rejects a non-positive worker count with a message naming workers", () => {
    expect(() => createPool({ workers: 0 })).toThrow(/workers must be a positive integer/);
  });
});

describe("parseShard", () => {
  it("splits unit indices into disjoint shards that cover them all", () => {
    const shards = [0, 1, 2].map((i) => parseShard(`${i}/3`));
    for (let unit = 0; unit < 30; unit++) expect(shards.filter((s) => inShard(s, unit)).length).toBe(1);
  });

  it("rejects malformed or out-of-range shards with a message naming --shard", () => {
    for (const bad of ["3/3", "1", "a/b", "-1/2", "0/0"]) expect(() => parseShard(bad)).toThrow(/--shard/);
  });
});

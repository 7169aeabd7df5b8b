import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Physics tests draw millions of random numbers; the default 5 s is too tight on a shared 2-core box.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // At least two test files at a time (vitest's default is one fewer than the cores: on the
    // 2-core CI machine one file at a time, 867 s for the suite on 2026-12-07 against the
    // 15-minute budget; 627 s with two). Every test writes under its own mkdtemp directory and
    // binds port 0, so files do not share state.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

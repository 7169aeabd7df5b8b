import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Physics tests draw millions of random numbers; the default 5 s is too tight on a shared 2-core box.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two test files at a time on the 2-core CI machine (vitest's default is one fewer than the
    // cores: one file at a time here, 867 s for the suite on 2026-12-07, against the 15-minute
    // budget). Every test writes under its own mkdtemp directory and binds port 0, so files do not
    // share state.
    maxWorkers: 2,
  },
});

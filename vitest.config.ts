import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Physics tests draw millions of random numbers; the default 5 s is too tight on a shared 2-core box.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});

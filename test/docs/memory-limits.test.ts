/**
 * bench/memory.md's "What the limit refuses" table against the estimates it quotes
 * (bench/memory-limits.ts: estimateCaseMemory of the default case with one field changed).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { limitRows } from "../../bench/memory-limits.js";

describe("bench/memory.md limits table", () => {
  it("quotes the estimate and outcome of every case", () => {
    const doc = readFileSync(new URL("../../bench/memory.md", import.meta.url), "utf8");
    for (const row of limitRows()) expect(doc).toContain(`| ${row.label} | ${row.estimate} | ${row.outcome} |`);
  });
});

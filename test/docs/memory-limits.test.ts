/**
 * bench/memory.md's "What the limit refuses" table and the largest tree it names, and
 * docs/case-file.md's, against the estimates (bench/memory-limits.ts: estimateCaseMemory of the
 * default case with one field changed). A document check, not validation.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { largestTerminalsText, LIMIT_BYTES, limitsTable } from "../../bench/memory-limits.js";
import { formatBytes } from "../../src/pipeline/memory.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the memory limits the docs state", () => {
  it("bench/memory.md carries the table whole, its limit and the largest tree; docs/case-file.md the same count", () => {
    const doc = read("bench/memory.md");
    const start = doc.indexOf("## What the limit refuses");
    expect(start).toBeGreaterThan(0);
    const section = doc.slice(start, doc.indexOf("\n## ", start + 1));
    expect(section).toContain(`= ${formatBytes(LIMIT_BYTES)})`);
    expect(section).toContain(`\n${limitsTable()}\n`);
    const largest = largestTerminalsText();
    expect(section.replace(/\s+/g, " ")).toContain(`the largest tree such a machine runs is about ${largest} terminals`);
    expect(read("docs/case-file.md").replace(/\s+/g, " ")).toContain(`on a 24 GiB machine, \`tree.terminals\` above about ${largest},`);
  });
});

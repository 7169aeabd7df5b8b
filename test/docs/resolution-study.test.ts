/**
 * docs/transport.md "Resolution study" says what bench/resolution/*.json say (the rule: every
 * number in the docs comes from a script a test re-checks). The studies run 3–15 min each on two
 * cores and are not rerun here (their commands: bench/resolution/README.md); this test re-renders
 * the document's tables from their data (bench/resolutionDocs.ts) and checks the numbers the prose
 * quotes. A document check, not validation; that the studies cover the issue's range (≥ 5 trees
 * and seeds per count, up to the portal-tract resolution of ≥ 1.5e6 terminals) is checked too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { blocksOf, continuationPhrases, quotedPhrases, renderBlocks, STUDIES, VIEWS, type ContinuationStudy } from "../../bench/resolutionDocs.js";
import type { ResolutionStudy } from "../../bench/resolutionStudy.js";

const url = (path: string) => new URL(`../../${path}`, import.meta.url);
const doc = readFileSync(url("docs/transport.md"), "utf8");
/** The section "Resolution study" (to the next level-2 heading), every run of whitespace made one space (line breaks are Markdown wrapping). */
const section = (() => {
  const start = doc.indexOf("## Resolution study");
  const end = doc.indexOf("\n## ", start + 1);
  if (start < 0 || end < 0) throw new Error("docs/transport.md: section Resolution study not found");
  return doc.slice(start, end).replace(/\s+/g, " ");
})();
const json = (name: string) => JSON.parse(readFileSync(url(`bench/resolution/${name}.json`), "utf8")) as unknown;
const files = readdirSync(url("bench/resolution/")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
const studies = new Map<string, ResolutionStudy>();
for (const name of files) if (name !== "continuation") studies.set(name, json(name) as ResolutionStudy);
const study = (name: string) => {
  const s = studies.get(name);
  if (s === undefined) throw new Error(`bench/resolution/${name}.json missing`);
  return s;
};

describe("docs/transport.md resolution study", () => {
  it("carries every view once, each equal to its rendering from bench/resolution/*.json", () => {
    expect([...blocksOf(doc).keys()].sort()).toEqual(Object.keys(VIEWS).sort());
    for (const view of Object.keys(VIEWS)) expect(doc.split(`<!-- resolution-study:${view} `).length - 1, view).toBe(1);
    expect(renderBlocks(doc, studies)).toBe(doc);
  });

  it("each study has ≥ 5 trees and seeds per count and reaches the portal-tract resolution (issue 14.1)", () => {
    expect(files.sort()).toEqual([...STUDIES, "continuation"].sort());
    for (const [name, s] of studies) {
      expect(s.counts.at(-1)?.terminals, name).toBeGreaterThanOrEqual(name === "small-feedback" ? 400000 : 1500000);
      for (const c of s.counts) expect(c.rows.length, `${name} ${c.terminals}`).toBeGreaterThanOrEqual(5);
      expect(new Set(s.treeSeeds).size, name).toBe(s.treeSeeds.length);
      expect(s.commit, name).not.toMatch(/local changes/);
    }
    expect(study("small").counts[0].terminals).toBeLessThanOrEqual(20000);
  });

  it("quotes the studies' numbers as they are (each phrase as bench/resolutionDocs.ts quotedPhrases computes it)", () => {
    const phrases = quotedPhrases(studies);
    expect(phrases.length).toBeGreaterThan(10);
    for (const p of phrases) expect(section, p).toContain(p);
  });

  it("quotes the continuation-against-resolved-subtree check as bench/resolution/continuation.json says (continuationPhrases)", () => {
    const c = json("continuation") as ContinuationStudy;
    expect(c.terminals).toBeGreaterThanOrEqual(1500000);
    expect(c.commit).not.toMatch(/local changes/);
    for (const p of continuationPhrases(c)) expect(section, p).toContain(p);
  });
});

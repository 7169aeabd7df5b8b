/**
 * docs/simulation.md quotes the bundled cases' runs (the sphere count, the voxel-dose decomposition
 * of the default case, the right-hepatic, glass-segmentectomy and Ho-166 examples): each phrase
 * (test/docs/simulationPhrases.ts) is built from docs/numbers.json, which test/docs/tutorial.test.ts
 * keeps equal to the engine, and looked up in the document, whitespace collapsed. A document
 * check, not validation.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { simulationPhrases } from "./simulationPhrases.js";

const doc = readFileSync(fileURLToPath(new URL("../../docs/simulation.md", import.meta.url)), "utf8").replace(/\s+/g, " ");

describe("docs/simulation.md quotes docs/numbers.json", () => {
  it("every phrase built from the recorded runs is in the document", () => {
    for (const p of simulationPhrases()) expect(doc, p).toContain(p);
  });
});

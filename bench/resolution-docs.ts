/**
 * Rewrites the resolution-study blocks of docs/transport.md from bench/resolution/*.json
 * (bench/resolutionDocs.ts renders them; test/docs/resolution-study.test.ts re-checks the document).
 *
 *   npx tsx bench/resolution-docs.ts
 *
 * The JSON files are written by the studies themselves (the commands are in each file's
 * `generatedBy` and in bench/resolution/README.md); this script does not rerun them. The prose
 * around the tables quotes some of their numbers: the script lists each quoted phrase the document
 * no longer contains (bench/resolutionDocs.ts quotedPhrases) and exits 1.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { continuationPhrases, quotedPhrases, renderBlocks, type ContinuationStudy } from "./resolutionDocs.js";
import type { ResolutionStudy } from "./resolutionStudy.js";

const dir = new URL("./resolution/", import.meta.url);
const studies = new Map<string, ResolutionStudy>();
for (const f of readdirSync(dir)) if (f.endsWith(".json") && f !== "continuation.json") studies.set(f.slice(0, -5), JSON.parse(readFileSync(new URL(f, dir), "utf8")) as ResolutionStudy);
const doc = new URL("../docs/transport.md", import.meta.url);
const text = renderBlocks(readFileSync(doc, "utf8"), studies);
writeFileSync(doc, text);
console.log(`docs/transport.md: resolution-study blocks rendered from ${[...studies.keys()].join(", ")}`);
// The prose is written by hand around the numbers it quotes: say which quotes no longer match.
const flat = text.replace(/\s+/g, " ");
const continuation = JSON.parse(readFileSync(new URL("continuation.json", dir), "utf8")) as ContinuationStudy;
const missing = [...quotedPhrases(studies), ...continuationPhrases(continuation)].filter((p) => !flat.includes(p));
for (const p of missing) console.log(`the prose must say: ${p}`);
if (missing.length > 0) process.exitCode = 1;

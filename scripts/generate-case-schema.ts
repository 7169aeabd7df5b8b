/**
 * Regenerates schema/case.schema.json from the zod schema in src/io/caseFile.ts.
 * Run: npx tsx scripts/generate-case-schema.ts   (test/io/caseFile.test.ts checks it is current)
 */
import { fileURLToPath } from "node:url";
import { caseSchemaJsonText } from "../src/io/caseFile.js";
import { writeFileAtomic } from "../src/io/atomic.js";

const target = fileURLToPath(new URL("../schema/case.schema.json", import.meta.url));
await writeFileAtomic(target, caseSchemaJsonText());
process.stderr.write(`wrote ${target}\n`);

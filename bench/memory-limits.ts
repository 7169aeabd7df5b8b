/**
 * The estimates of bench/memory.md's "What the limit refuses" table: src/pipeline/memory.ts's
 * estimateCaseMemory on the default case (fixtures/cases/net-default.json) with one field changed,
 * against the default limit of a 24 GiB machine (75 % − 0.5 GiB). No run: the estimate only.
 *
 *   npx tsx bench/memory-limits.ts        # prints the table
 *
 * test/docs/memory-limits.test.ts re-checks bench/memory.md's rows against limitRows().
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolveCase } from "../src/pipeline/resolveCase.js";
import { DEFAULT_MEMORY_MARGIN_BYTES, DEFAULT_MEMORY_SHARE, estimateCaseMemory, formatBytes } from "../src/pipeline/memory.js";

const CASE = fileURLToPath(new URL("../fixtures/cases/net-default.json", import.meta.url));
/** The machine the table is for: 24 GiB. */
export const MACHINE_BYTES = 24 * 1024 ** 3;
export const LIMIT_BYTES = DEFAULT_MEMORY_SHARE * MACHINE_BYTES - DEFAULT_MEMORY_MARGIN_BYTES;

/** A row's case: the label of bench/memory.md and the fields set on the default case. */
export const LIMIT_CASES: readonly { readonly label: string; readonly tree?: Record<string, unknown>; readonly dose?: Record<string, unknown> }[] = [
  { label: "`tree.terminals` 5e7 (the schema's maximum)", tree: { terminals: 5e7 } },
  { label: "`tree.terminals` 1.5e6 (portal-tract resolution), 2 mm voxels", tree: { terminals: 1.5e6 } },
  { label: "`tree.terminals` 9e6, 2 mm voxels", tree: { terminals: 9e6 } },
  { label: "`tree.terminals` 1e7, 2 mm voxels", tree: { terminals: 1e7 } },
  { label: "`dose.voxelMm` 0.2 on the default liver", dose: { voxelMm: 0.2 } },
  { label: "`dose.voxelMm` 0.05 (the schema's minimum) on the default liver", dose: { voxelMm: 0.05 } },
  { label: "`dose.voxelMm` 0.3 on the default liver", dose: { voxelMm: 0.3 } },
  { label: "`dose.voxelMm` 0.5 on the default liver", dose: { voxelMm: 0.5 } },
];

export interface LimitRow {
  readonly label: string;
  readonly estimate: string;
  readonly outcome: "runs" | "refused";
}

export function limitRows(): LimitRow[] {
  const base = JSON.parse(readFileSync(CASE, "utf8")) as Record<string, Record<string, unknown>>;
  return LIMIT_CASES.map((c) => {
    const json = { ...base, tree: { ...base.tree, ...c.tree }, dose: { ...base.dose, ...c.dose } };
    const bytes = estimateCaseMemory(resolveCase({ json, path: CASE })).bytes;
    return { label: c.label, estimate: formatBytes(bytes), outcome: bytes <= LIMIT_BYTES ? "runs" : "refused" };
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`default limit on a ${formatBytes(MACHINE_BYTES)} machine: ${formatBytes(LIMIT_BYTES)}\n\n| case | estimate | outcome |\n|---|---:|---|`);
  for (const r of limitRows()) console.log(`| ${r.label} | ${r.estimate} | ${r.outcome} |`);
}

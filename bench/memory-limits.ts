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
  { label: "`tree.terminals` 8e6, 2 mm voxels", tree: { terminals: 8e6 } },
  { label: "`tree.terminals` 9e6, 2 mm voxels", tree: { terminals: 9e6 } },
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

const base = () => JSON.parse(readFileSync(CASE, "utf8")) as Record<string, Record<string, unknown>>;

/** The estimate of the default case with `tree` / `dose` fields changed, bytes. */
function estimate(tree: Record<string, unknown> = {}, dose: Record<string, unknown> = {}): number {
  const b = base();
  return estimateCaseMemory(resolveCase({ json: { ...b, tree: { ...b.tree, ...tree }, dose: { ...b.dose, ...dose } }, path: CASE })).bytes;
}

export function limitRows(): LimitRow[] {
  return LIMIT_CASES.map((c) => {
    const bytes = estimate(c.tree, c.dose);
    return { label: c.label, estimate: formatBytes(bytes), outcome: bytes <= LIMIT_BYTES ? "runs" : "refused" };
  });
}

/** The largest tree.terminals the limit runs (2 mm voxels), to 2 significant digits ("9.0e6"). */
export function largestTerminalsText(): string {
  let lo = 1e5, hi = 5e7; // runs at lo, refused at hi
  while (hi - lo > 1e4) {
    const mid = Math.round((lo + hi) / 2);
    if (estimate({ terminals: mid }) <= LIMIT_BYTES) lo = mid;
    else hi = mid;
  }
  return lo.toExponential(1).replace("e+", "e");
}

/** The table as bench/memory.md shows it. */
export function limitsTable(): string {
  return ["| case | estimate | outcome |", "|---|---:|---|", ...limitRows().map((r) => `| ${r.label} | ${r.estimate} | ${r.outcome} |`)].join("\n");
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`default limit on a ${formatBytes(MACHINE_BYTES)} machine: ${formatBytes(LIMIT_BYTES)}; the largest tree.terminals it runs: about ${largestTerminalsText()}\n`);
  console.log(limitsTable());
}

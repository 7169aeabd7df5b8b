/**
 * The differences a resolution study reports between terminal counts (bench/transport-resolution.ts):
 * each count's mean against the last (finest) count's, in %, with the standard error of that
 * difference (sd/√n of both means, sd over the runs with n − 1), and — for the keys asked — the
 * per-run differences of run r at one count against run r at the other (the same tree/seed index,
 * different trees: the spread a single-pair check such as test/pipeline/resolution.test.ts must
 * cover). The bench prints them; docs/transport.md's tables are bench/resolutionDocs.ts's rendering
 * of the same data (bench/resolution/*.json).
 */
export type ResolutionRow = Record<string, number>;

/** One terminal count of a study: every run's row (run r: tree seed treeSeeds[r], seed seeds[r]). */
export interface ResolutionCount {
  readonly terminals: number;
  /** Wall seconds per run (not re-checked: timings are not test numbers). */
  readonly seconds: number;
  readonly rows: ResolutionRow[];
}

/** What `bench/transport-resolution.ts --json PATH` writes (bench/resolution/*.json). */
export interface ResolutionStudy {
  readonly generatedBy: string;
  readonly commit: string;
  readonly date: string;
  readonly case: string;
  readonly model: string;
  readonly feedback: boolean;
  readonly sets: readonly string[];
  readonly treeSeeds: readonly number[];
  readonly seeds: readonly number[];
  readonly counts: readonly ResolutionCount[];
}

/** Significant digits of a mean ± sd cell: 1 decimal from 10 up, 2 from 1, else 4. */
export function formatMeanSd(xs: readonly number[]): string {
  const { mean, sd } = meanSd(xs);
  const digits = Math.abs(mean) >= 10 ? 1 : Math.abs(mean) >= 1 ? 2 : 4;
  return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/** Markdown: per count the mean ± sd over the runs of each of `keys` (default every key), then seconds per run when `withSeconds`. */
export function meanTable(table: readonly ResolutionCount[], keys: readonly string[] = Object.keys(table[0].rows[0]), withSeconds = true): string {
  const lines = [`| quantity | ${table.map((t) => `${t.terminals.toLocaleString("en")} terminals`).join(" | ")} |`, `|---|${table.map(() => "---").join("|")}|`];
  for (const key of keys) lines.push(`| ${key} | ${table.map((t) => formatMeanSd(t.rows.map((r) => r[key]))).join(" | ")} |`);
  if (withSeconds) lines.push(`| seconds per run | ${table.map((t) => t.seconds.toFixed(1)).join(" | ")} |`);
  return lines.join("\n");
}

export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

/**
 * Difference of `rows`' mean of `key` from `reference`'s, %, and its standard error, %. Paired when
 * both have the same number of runs: run r of every count of a study has the same tree seed and
 * Monte Carlo seed (which drive the tree's growth and the heterogeneity draws), and the counts'
 * results correlate run for run (measured 0.5–0.8 for the normal-liver D-metrics of
 * bench/resolution/small.json and net-feedback.json; the mechanism was not traced): the standard
 * error is then sd(x_r − y_r)/√n, 1.5–2× smaller than the unpaired √(sd_x²/n + sd_y²/n), which
 * would overstate it. Unequal run counts: unpaired.
 */
export function meanDifference(rows: ResolutionRow[], reference: ResolutionRow[], key: string): { percent: number; standardErrorPercent: number } {
  const { difference, standardError, referenceMean } = pairedDifference(rows, reference, key);
  return { percent: (100 * difference) / referenceMean, standardErrorPercent: (100 * standardError) / Math.abs(referenceMean) };
}

/**
 * Difference of `rows`' mean of a fraction `key` (V100: a share of a VOI's volume) from
 * `reference`'s in percentage points, and its standard error (paired as meanDifference). A fraction
 * near 0 or 1 is compared in points, not relative to itself: normal liver's V100 of 0.1 % would
 * otherwise read as ±15 %.
 */
export function pointDifference(rows: ResolutionRow[], reference: ResolutionRow[], key: string): { points: number; standardErrorPoints: number } {
  const { difference, standardError } = pairedDifference(rows, reference, key);
  return { points: 100 * difference, standardErrorPoints: 100 * standardError };
}

/** Mean of `rows` minus mean of `reference` for `key`, its standard error (paired by run when both have the same number of runs, see meanDifference), and the reference mean. */
function pairedDifference(rows: ResolutionRow[], reference: ResolutionRow[], key: string): { difference: number; standardError: number; referenceMean: number } {
  const a = meanSd(rows.map((r) => r[key]));
  const b = meanSd(reference.map((r) => r[key]));
  const paired = rows.length === reference.length && rows.length > 1;
  const standardError = paired
    ? meanSd(rows.map((r, i) => r[key] - reference[i][key])).sd / Math.sqrt(rows.length)
    : Math.sqrt(a.sd ** 2 / rows.length + b.sd ** 2 / reference.length);
  return { difference: a.mean - b.mean, standardError, referenceMean: b.mean };
}

/** Per-run differences of `key`, %, run r of `rows` against run r of `reference` (as many as both have). */
export function pairDifferences(rows: ResolutionRow[], reference: ResolutionRow[], key: string): number[] {
  const n = Math.min(rows.length, reference.length);
  const out: number[] = [];
  for (let r = 0; r < n; r++) out.push(100 * (rows[r][key] / reference[r][key] - 1));
  return out;
}

/** "12,345". */
export const terminalsLabel = (n: number) => n.toLocaleString("en");
/** "+0.40" / "−1.20" (a real minus sign, as the docs write it). */
export const signedText = (x: number, digits: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

type Count = Pick<ResolutionCount, "terminals" | "rows">;

/**
 * Markdown table: each of `keys`, each count but the last against the last (finest), "difference
 * (standard error)": in % of the finest mean, or with `points` in percentage points of a fraction
 * (pointDifference), the finest count's mean (%) then in a last column.
 */
export function differenceRows(table: readonly Count[], keys: readonly string[], digits: number, points = false): string {
  const reference = table[table.length - 1];
  const others = table.slice(0, -1);
  const extra = points ? [`${terminalsLabel(reference.terminals)}: mean, %`] : [];
  const lines = [`| quantity | ${[...others.map((t) => terminalsLabel(t.terminals)), ...extra].join(" | ")} |`, `|---|${[...others, ...extra].map(() => "---").join("|")}|`];
  for (const key of keys) {
    const cells = others.map((t) => {
      const d = points ? pointDifference(t.rows, reference.rows, key) : meanDifference(t.rows, reference.rows, key);
      const [x, se] = "points" in d ? [d.points, d.standardErrorPoints] : [d.percent, d.standardErrorPercent];
      return Number.isFinite(x) ? `${signedText(x, digits)} (${se.toFixed(digits)})` : "—";
    });
    if (points) cells.push((100 * meanSd(reference.rows.map((r) => r[key])).mean).toFixed(digits));
    lines.push(`| ${key} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Run r of `coarse` against run r of `fine`, %: the mean and sd of the pairs, the largest by size, how many lie beyond ± 2 %, and each. */
export function pairStats(coarse: Count, fine: Count, key: string): { mean: number; sd: number; largest: number; beyond2: number; pairs: number[] } {
  const pairs = pairDifferences(coarse.rows, fine.rows, key);
  const { mean, sd } = meanSd(pairs);
  let largest = 0;
  for (const x of pairs) if (Math.abs(x) > Math.abs(largest)) largest = x;
  return { mean, sd, largest, beyond2: pairs.filter((x) => Math.abs(x) > 2).length, pairs };
}

/** Markdown table of pairStats for each of `keys`. */
export function pairRows(coarse: Count, fine: Count, keys: readonly string[]): string {
  const lines = ["| quantity | mean | sd | largest | pairs beyond ± 2 % | each pair |", "|---|---|---|---|---|---|"];
  for (const key of keys) {
    const p = pairStats(coarse, fine, key);
    lines.push(`| ${key} | ${signedText(p.mean, 2)} | ${p.sd.toFixed(2)} | ${signedText(p.largest, 2)} | ${p.beyond2} of ${p.pairs.length} | ${p.pairs.map((x) => signedText(x, 2)).join(" ")} |`);
  }
  return lines.join("\n");
}

/** What the bench prints after its table: every key's difference from the last count, then the per-pair differences of `pairKeys` for each coarser count. */
export function differenceTables(table: readonly Count[], pairKeys: readonly string[]): string {
  if (table.length < 2) return "";
  const reference = table[table.length - 1];
  const lines = [`\nDifference of the mean from ${terminalsLabel(reference.terminals)} terminals, % (standard error of the difference, %, paired by run):\n`, differenceRows(table, Object.keys(reference.rows[0]), 2)];
  for (const t of table.slice(0, -1)) {
    lines.push(`\nRun r at ${terminalsLabel(t.terminals)} against run r at ${terminalsLabel(reference.terminals)} terminals, %:\n`);
    lines.push(pairRows(t, reference, pairKeys.filter((k) => k in reference.rows[0])));
  }
  return lines.join("\n");
}

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
  const a = meanSd(rows.map((r) => r[key]));
  const b = meanSd(reference.map((r) => r[key]));
  const paired = rows.length === reference.length && rows.length > 1;
  const se = paired
    ? meanSd(rows.map((r, i) => r[key] - reference[i][key])).sd / Math.sqrt(rows.length)
    : Math.sqrt(a.sd ** 2 / rows.length + b.sd ** 2 / reference.length);
  return { percent: 100 * (a.mean / b.mean - 1), standardErrorPercent: (100 * se) / Math.abs(b.mean) };
}

/** Per-run differences of `key`, %, run r of `rows` against run r of `reference` (as many as both have). */
export function pairDifferences(rows: ResolutionRow[], reference: ResolutionRow[], key: string): number[] {
  const n = Math.min(rows.length, reference.length);
  const out: number[] = [];
  for (let r = 0; r < n; r++) out.push(100 * (rows[r][key] / reference[r][key] - 1));
  return out;
}

/** Markdown: the mean differences of every key from the last count, then the per-pair differences of `pairKeys`. */
export function differenceTables(table: readonly { terminals: number; rows: ResolutionRow[] }[], pairKeys: readonly string[]): string {
  if (table.length < 2) return "";
  const reference = table[table.length - 1];
  const others = table.slice(0, -1);
  const label = (t: number) => t.toLocaleString("en");
  const lines: string[] = [];
  lines.push(`\nDifference of the mean from ${label(reference.terminals)} terminals, % (standard error of the difference, %):\n`);
  lines.push(`| quantity | ${others.map((t) => `${label(t.terminals)} terminals`).join(" | ")} |`);
  lines.push(`|---|${others.map(() => "---").join("|")}|`);
  for (const key of Object.keys(reference.rows[0])) {
    const cells = others.map((t) => {
      const d = meanDifference(t.rows, reference.rows, key);
      return Number.isFinite(d.percent) ? `${d.percent >= 0 ? "+" : ""}${d.percent.toFixed(2)} (${d.standardErrorPercent.toFixed(2)})` : "—";
    });
    lines.push(`| ${key} | ${cells.join(" | ")} |`);
  }
  for (const t of others) {
    lines.push(`\nPer tree/seed pair, run r at ${label(t.terminals)} against run r at ${label(reference.terminals)} terminals, %:\n`);
    lines.push("| quantity | mean | sd | pairs |");
    lines.push("|---|---|---|---|");
    for (const key of pairKeys) {
      if (!(key in reference.rows[0])) continue;
      const d = pairDifferences(t.rows, reference.rows, key);
      const { sd } = meanSd(d);
      const mean = meanDifference(t.rows, reference.rows, key).percent;
      lines.push(`| ${key} | ${mean >= 0 ? "+" : ""}${mean.toFixed(2)} | ${sd.toFixed(2)} | ${d.map((x) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`).join(" ")} |`);
    }
  }
  return lines.join("\n");
}

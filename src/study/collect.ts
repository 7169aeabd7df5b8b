/**
 * From the run records of a study directory to its tables and page:
 * - runs.csv / runs.json: tidy, one row per run in study order (cell, then tree, then seed) with
 *   every varied field, the tree seed and seed, the run id (case hash), its status and metrics;
 * - cells.csv / cells.json: per cell and metric, n, mean, sd and three 95 % intervals
 *   (src/study/stats.ts names them precisely); cells.json also holds the DVH bands;
 * - study.html: the plots (src/study/html.ts).
 * Only run records are read, never timings, so the files are the same bytes for any executor.
 */
import { join } from "node:path";
import { csvField } from "../io/csv.js";
import { writeFileAtomic } from "../io/atomic.js";
import { columnSelected, DVH_VOLUME_STEPS, metricRange } from "./metrics.js";
import type { StudyPlan } from "./plan.js";
import { metricStats, quantileSorted, type MetricStats } from "./stats.js";
import { checkedRunRecord, checkPlanVersion, readFailure, runPath, type RunRecord } from "./store.js";
import { InputError } from "../errors.js";
import { studyHtml } from "./html.js";

export type RunStatus = "ok" | "failed" | "missing";

export interface TableRow {
  readonly run: number;
  readonly cell: number;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly treeSeed: number;
  readonly seed: number;
  readonly id: string;
  readonly status: RunStatus;
  readonly error: string | null;
  readonly metrics: Readonly<Record<string, number | null>>;
  /** The run's warnings and notes, as `simulate` prints them. */
  readonly warnings: readonly string[];
}

/** Percentile band of D(v) over a cell's runs, per VOI: v = 0, 0.01, …, 1. */
export interface DvhBand {
  readonly runs: number;
  readonly medianGy: readonly number[];
  readonly p2_5Gy: readonly number[];
  readonly p97_5Gy: readonly number[];
}

export interface CellSummary {
  readonly cell: number;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly runs: number;
  readonly finished: number;
  readonly metrics: Readonly<Record<string, MetricStats>>;
  readonly dvhBands: Readonly<Record<string, DvhBand>>;
}

export interface StudyTables {
  readonly rows: readonly TableRow[];
  readonly metricColumns: readonly string[];
  readonly cells: readonly CellSummary[];
  readonly finished: number;
  readonly failed: ReadonlyArray<{ readonly run: number; readonly id: string; readonly error: string }>;
  readonly missing: number;
  /** Each distinct warning or note of the finished runs, with the runs that gave it (table order). */
  readonly warnings: ReadonlyArray<{ readonly text: string; readonly runs: readonly number[] }>;
}

/** How the two t intervals are bounded (stats.ts metricStats with metrics.ts metricRange). */
const CLIPPED = "clipped to the metric's range (V100 and the volumeAtDose fractions, TCP, NTCP, shares in [0, 1]; the others ≥ 0)";

export const INTERVAL_DEFINITIONS = {
  sd: "sample standard deviation of the runs (n − 1)",
  units: "k, the number of independent units of the two t intervals (intervalsOver): the runs, or the trees",
  sdUnits: "sd_u, the sample sd among the units: of the runs, or of the tree means",
  meanCi95: `95 % confidence interval of the cell mean: mean ± t(0.975, k−1)·sd_u/√k (Student t), ${CLIPPED}`,
  predictionInterval95: `95 % prediction interval for one further run on a new tree: mean ± t(0.975, k−1)·sd_u·√(1 + 1/k) over runs; over trees mean ± t(0.975, k−1)·√(sd_u²·(1 + 1/k) + s_w²·(1 − mean_t(1/S_t))), s_w² the pooled within-tree variance, S_t the runs of tree t (Student t, runs assumed normal), ${CLIPPED}`,
  intervalsOver: "the independent units of the two t intervals: \"runs\" (each run its own tree), \"trees\" (several seeds per tree: the tree means are the units, so more seeds on the same trees do not narrow the intervals), \"seeds of one tree\" (one tree: the intervals say nothing of the tree-to-tree spread)",
  runPercentiles95: "2.5th and 97.5th percentiles of the runs (linear interpolation between order statistics, R type 7)",
  dvhBands: "per VOI, D(v) = least dose to the hottest fraction v of the VOI at v = 0, 0.01, …, 1; median and 2.5th/97.5th percentiles over the cell's runs",
} as const;

/** The same for `simulate --replicas`: each replica has a tree and a seed of its own, so the replicas are the units. */
export const REPLICA_INTERVAL_DEFINITIONS: { readonly [K in keyof typeof INTERVAL_DEFINITIONS]: string } = {
  ...INTERVAL_DEFINITIONS,
  meanCi95: `95 % confidence interval of the mean over the replicas: mean ± t(0.975, n−1)·sd/√n (Student t), ${CLIPPED}`,
  predictionInterval95: `95 % prediction interval for one further replica (a new tree and seed): mean ± t(0.975, n−1)·sd·√(1 + 1/n) (Student t, replicas assumed normal), ${CLIPPED}`,
  intervalsOver: "\"runs\": each replica has a tree and a transport seed of its own, so the replicas are the independent units",
};

/** Read every run record of the plan and build the tables (no files written). */
export async function buildTables(dir: string, plan: StudyPlan): Promise<StudyTables> {
  const records = new Map<string, RunRecord | null>();
  const errors = new Map<string, string | null>();
  for (const run of plan.runs) {
    if (records.has(run.id)) continue;
    // A record that is not this run's, or not this sirtsim's, or edited since it was written, is
    // refused (exit 2 naming the file and the field) rather than put into the tables; `study`
    // (the runner) redoes such runs instead.
    const { record, problem } = await checkedRunRecord(dir, run);
    if (problem !== null) throw new InputError(runPath(dir, run.id), `${runPath(dir, run.id)}: ${problem}; remove it and run \`sirtsim study STUDY.json --out ${dir}\` (or the slice) to redo the run`);
    records.set(run.id, record);
    errors.set(run.id, record ? null : ((await readFailure(dir, run.id))?.error ?? null));
  }
  const selected = plan.metrics ?? undefined;
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const run of plan.runs) {
    const record = records.get(run.id);
    if (!record) continue;
    for (const name of Object.keys(record.metrics)) {
      if (!seen.has(name) && columnSelected(name, selected)) {
        seen.add(name);
        columns.push(name);
      }
    }
  }
  const rows: TableRow[] = plan.runs.map((run) => {
    const record = records.get(run.id) ?? null;
    const error = errors.get(run.id) ?? null;
    const metrics: Record<string, number | null> = {};
    for (const c of columns) metrics[c] = record?.metrics[c] ?? null;
    return {
      run: run.index,
      cell: run.cell,
      parameters: plan.cells[run.cell].parameters,
      treeSeed: run.treeSeed,
      seed: run.seed,
      id: run.id,
      status: record ? "ok" : error !== null ? "failed" : "missing",
      error,
      metrics,
      warnings: record?.warnings ?? [],
    };
  });
  const cells: CellSummary[] = plan.cells.map((cell) => {
    const cellRows = rows.filter((r) => r.cell === cell.index);
    const ok = cellRows.filter((r) => r.status === "ok");
    const metrics: Record<string, MetricStats> = {};
    // Runs that share a tree are not independent: the tree is the unit of the intervals (stats.ts).
    for (const c of columns) metrics[c] = metricStats(ok.map((r) => r.metrics[c]), metricRange(c), ok.map((r) => r.treeSeed));
    const cellRecords = ok.map((r) => records.get(r.id)).filter((r): r is RunRecord => r !== null && r !== undefined);
    return { cell: cell.index, parameters: cell.parameters, runs: cellRows.length, finished: ok.length, metrics, dvhBands: dvhBands(cellRecords) };
  });
  return {
    rows,
    metricColumns: columns,
    cells,
    finished: rows.filter((r) => r.status === "ok").length,
    failed: rows.filter((r) => r.status === "failed").map((r) => ({ run: r.run, id: r.id, error: r.error ?? "" })),
    missing: rows.filter((r) => r.status === "missing").length,
    warnings: distinctWarnings(rows),
  };
}

function distinctWarnings(rows: readonly TableRow[]): { text: string; runs: number[] }[] {
  const byText = new Map<string, number[]>();
  for (const r of rows) {
    for (const w of r.warnings) {
      const runs = byText.get(w);
      if (runs === undefined) byText.set(w, [r.run]);
      else runs.push(r.run);
    }
  }
  return [...byText].map(([text, runs]) => ({ text, runs }));
}

function dvhBands(records: readonly RunRecord[]): Record<string, DvhBand> {
  const out: Record<string, DvhBand> = {};
  if (records.length === 0) return out;
  for (const voi of Object.keys(records[0].dvhDoseAtVolumeGy)) {
    const curves = records.map((r) => r.dvhDoseAtVolumeGy[voi]).filter((c) => c !== undefined);
    const medianGy: number[] = [];
    const p2_5Gy: number[] = [];
    const p97_5Gy: number[] = [];
    for (let k = 0; k < DVH_VOLUME_STEPS; k++) {
      const sorted = curves.map((c) => c[k]).sort((a, b) => a - b);
      medianGy.push(quantileSorted(sorted, 0.5));
      p2_5Gy.push(quantileSorted(sorted, 0.025));
      p97_5Gy.push(quantileSorted(sorted, 0.975));
    }
    out[voi] = { runs: curves.length, medianGy, p2_5Gy, p97_5Gy };
  }
  return out;
}

/** A parameter value as a table cell: numbers and strings as themselves, anything else as JSON. */
function valueText(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v) ?? "";
}

const numText = (x: number | null | undefined): string => (x === null || x === undefined ? "" : String(x));

export function runsCsv(plan: StudyPlan, tables: StudyTables): string {
  const header = ["run", "cell", ...plan.parameters.map((p) => p.path), "treeSeed", "seed", "id", "status", ...tables.metricColumns, "warnings"];
  const lines = [header.map(csvField).join(",")];
  for (const r of tables.rows) {
    lines.push(
      [String(r.run), String(r.cell), ...plan.parameters.map((p) => csvField(valueText(r.parameters[p.path]))), String(r.treeSeed), String(r.seed), r.id, r.status, ...tables.metricColumns.map((c) => numText(r.metrics[c])), csvField(r.warnings.join(" | "))].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The rows as flat objects with the CSV's columns (pandas.read_json(orient="records")). */
export function runsJson(plan: StudyPlan, tables: StudyTables): string {
  const rows = tables.rows.map((r) => {
    const row: Record<string, unknown> = { run: r.run, cell: r.cell };
    for (const p of plan.parameters) row[p.path] = r.parameters[p.path];
    Object.assign(row, { treeSeed: r.treeSeed, seed: r.seed, id: r.id, status: r.status });
    if (r.error !== null) row.error = r.error;
    for (const c of tables.metricColumns) row[c] = r.metrics[c];
    row.warnings = r.warnings;
    return row;
  });
  return `${JSON.stringify(rows, null, 1)}\n`;
}

export function cellsCsv(plan: StudyPlan, tables: StudyTables): string {
  const header = ["cell", ...plan.parameters.map((p) => p.path), "metric", "n", "mean", "sd", "meanCi95Low", "meanCi95High", "predictionInterval95Low", "predictionInterval95High", "runPercentile2.5", "runPercentile97.5", "intervalsOver", "units", "sdUnits"];
  const lines = [header.map(csvField).join(",")];
  for (const cell of tables.cells) {
    const params = plan.parameters.map((p) => csvField(valueText(cell.parameters[p.path])));
    for (const c of tables.metricColumns) {
      const s = cell.metrics[c];
      lines.push([String(cell.cell), ...params, csvField(c), String(s.n), numText(s.mean), numText(s.sd), numText(s.meanCi95?.[0]), numText(s.meanCi95?.[1]), numText(s.predictionInterval95?.[0]), numText(s.predictionInterval95?.[1]), numText(s.runPercentiles95?.[0]), numText(s.runPercentiles95?.[1]), csvField(s.intervalsOver ?? ""), numText(s.units), numText(s.sdUnits)].join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

export function cellsJson(plan: StudyPlan, tables: StudyTables): string {
  return `${JSON.stringify({ kind: "sirtsim-study-cells", name: plan.name, parameters: plan.parameters.map((p) => p.path), replicas: plan.replicas, definitions: INTERVAL_DEFINITIONS, cells: tables.cells }, null, 1)}\n`;
}

/** The files `collect` writes, in order. */
export const STUDY_FILES = ["runs.csv", "runs.json", "cells.csv", "cells.json", "study.html"] as const;

/** Build the tables and write them (each file atomically). */
export async function collectStudy(dir: string, plan: StudyPlan): Promise<StudyTables> {
  checkPlanVersion(dir, plan);
  const tables = await buildTables(dir, plan);
  await writeFileAtomic(join(dir, "runs.csv"), runsCsv(plan, tables));
  await writeFileAtomic(join(dir, "runs.json"), runsJson(plan, tables));
  await writeFileAtomic(join(dir, "cells.csv"), cellsCsv(plan, tables));
  await writeFileAtomic(join(dir, "cells.json"), cellsJson(plan, tables));
  await writeFileAtomic(join(dir, "study.html"), studyHtml(plan, tables));
  return tables;
}

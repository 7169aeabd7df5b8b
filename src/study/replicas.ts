/**
 * Predictive uncertainty for one case (`sirtsim simulate --replicas N`): the case is simulated N
 * times, replica k with tree seed tree.seed + k and transport seed seed + k (replica 0 is the run
 * whose files are written), and every per-VOI metric gets the statistics of a study cell
 * (src/study/stats.ts): mean, sd, the t interval of the mean, the t prediction interval for one
 * further run, and the 2.5th/97.5th percentiles of the replicas. The spread is over both sources
 * of randomness a simulation has: the synthetic tree and the sphere transport.
 */
import type { Grid } from "../geometry/index.js";
import type { WorkerPool } from "../parallel/pool.js";
import type { DoseStageOptions } from "../pipeline/doseStage.js";
import { loadSimulationCase } from "../pipeline/caseInput.js";
import type { SimulationOutputs, SimulationSummary } from "../pipeline/finish.js";
import { REPLICA_INTERVAL_DEFINITIONS } from "./collect.js";
import { metricRange, runMetrics, type MetricValues } from "./metrics.js";
import { simulateRun } from "./runner.js";
import { metricStats, type MetricStats } from "./stats.js";

export interface ReplicaUncertainty {
  readonly replicas: number;
  readonly runs: ReadonlyArray<{ readonly treeSeed: number; readonly seed: number }>;
  readonly definitions: typeof REPLICA_INTERVAL_DEFINITIONS;
  /** Per VOI, per metric (meanDoseGy, D70Gy, V100, …; TCP/NTCP/BED/EUD when the summary has them). */
  readonly compartments: Readonly<Record<string, Readonly<Record<string, MetricStats>>>>;
  readonly lung: { readonly meanDoseGy: MetricStats };
  readonly tumourToNormalRatio: { readonly realised: MetricStats };
}

export interface ReplicaOptions {
  readonly caseJson: Record<string, unknown>;
  readonly casePath: string;
  readonly maskGrid?: Grid<Uint8Array>;
  readonly pool: WorkerPool;
  readonly doseOptions?: DoseStageOptions;
  readonly log?: (message: string) => void;
}

/** Run replicas 1 … n−1 of a case whose replica 0 gave `first`, and their statistics. */
export async function replicaUncertainty(first: SimulationOutputs, replicas: number, options: ReplicaOptions): Promise<ReplicaUncertainty> {
  const seed0 = first.summary.seed;
  const treeSeed0 = (first.summary.reproduce.tree as { seed: number }).seed;
  const metrics: MetricValues[] = [runMetrics(first.summary)];
  const runs = [{ treeSeed: treeSeed0, seed: seed0 }];
  for (let k = 1; k < replicas; k++) {
    const treeSeed = (treeSeed0 + k) >>> 0;
    const seed = (seed0 + k) >>> 0;
    const json = { ...options.caseJson, seed, tree: { ...((options.caseJson.tree as Record<string, unknown> | undefined) ?? {}), seed: treeSeed } };
    const simCase = loadSimulationCase(json, options.casePath, options.maskGrid);
    const t0 = Date.now();
    const outputs = await simulateRun(simCase, options.pool, undefined, options.doseOptions);
    metrics.push(runMetrics(outputs.summary));
    runs.push({ treeSeed, seed });
    options.log?.(`replica ${k + 1}/${replicas} (tree seed ${treeSeed}, seed ${seed}): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const stat = (column: string) => metricStats(metrics.map((m) => m[column] ?? null), metricRange(column));
  const compartments: Record<string, Record<string, MetricStats>> = {};
  for (const voi of Object.keys(first.summary.compartments)) {
    const entry: Record<string, MetricStats> = {};
    for (const column of Object.keys(metrics[0])) {
      if (!column.startsWith(`${voi}.`)) continue;
      const name = column.slice(voi.length + 1);
      if (["meanDoseGy", "D70Gy", "D90Gy", "V100", "meanDoseFromSpheresGy"].includes(name) || /bed|eud|tcp|ntcp/i.test(name)) entry[name] = stat(column);
    }
    compartments[voi] = entry;
  }
  return {
    replicas,
    runs,
    definitions: REPLICA_INTERVAL_DEFINITIONS,
    compartments,
    lung: { meanDoseGy: stat("lung.meanDoseGy") },
    tumourToNormalRatio: { realised: stat("tumourToNormalRatio.realised") },
  };
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toPrecision(3) : "–");
/** The 95 % prediction interval as text; "n/a" when fewer than two replicas gave the metric (no sd). */
export const interval = (s: MetricStats | undefined): string => (s?.predictionInterval95 ? `${fmt(s.predictionInterval95[0])} – ${fmt(s.predictionInterval95[1])}` : `n/a (n = ${s?.n ?? 0})`);

/** A VOI's TCP or NTCP statistics with its label, if it has either. */
function outcomeStats(voi: Readonly<Record<string, MetricStats>> | undefined): { label: string; stats: MetricStats } | undefined {
  if (voi?.["radiobiology.tcp"]) return { label: "TCP", stats: voi["radiobiology.tcp"] };
  if (voi?.["radiobiology.ntcp"]) return { label: "NTCP", stats: voi["radiobiology.ntcp"] };
  return undefined;
}

/**
 * The outputs with the uncertainty in summary.json (`uncertainty`) and, in the report's metrics
 * table, the 95 % prediction intervals of the mean dose, D70 and V100 per VOI.
 */
export function withUncertainty(outputs: SimulationOutputs, u: ReplicaUncertainty): SimulationOutputs {
  const summary = { ...outputs.summary, uncertainty: u } as SimulationSummary;
  const table = outputs.report.metrics;
  const columns = [...table.columns, `mean dose, 95 % prediction over ${u.replicas} replicas (Gy)`, "D70, 95 % prediction (Gy)", "V100, 95 % prediction", "TCP or NTCP, 95 % prediction"];
  const rows = table.rows.map((row) => {
    const voi = u.compartments[String(row[0])];
    if (String(row[0]) === "lung") return [...row, interval(u.lung.meanDoseGy), null, null, null];
    const outcome = outcomeStats(voi);
    return [...row, interval(voi?.meanDoseGy), interval(voi?.D70Gy), interval(voi?.V100), outcome ? `${outcome.label} ${interval(outcome.stats)}` : null];
  });
  const notes = [
    ...(outputs.report.notes ?? []),
    `Uncertainty: ${u.replicas} replicas, replica k with tree seed and transport seed increased by k; intervals are ${REPLICA_INTERVAL_DEFINITIONS.predictionInterval95}. summary.json (uncertainty) also gives ${Object.keys(REPLICA_INTERVAL_DEFINITIONS).filter((k) => k !== "dvhBands").join(", ")}.`,
  ];
  return { ...outputs, summary, report: { ...outputs.report, metrics: { columns, rows }, notes } };
}

/** Terminal lines: per VOI, the 95 % prediction intervals of the mean dose, D70 and V100. */
export function uncertaintyText(summary: SimulationSummary): string {
  const u = (summary as SimulationSummary & { uncertainty?: ReplicaUncertainty }).uncertainty;
  if (!u) return "";
  const lines = [`95 % prediction intervals over ${u.replicas} replicas (tree and transport seeds + 0 … ${u.replicas - 1}):`, `${"VOI".padEnd(20)} ${"mean Gy".padStart(17)} ${"D70 Gy".padStart(17)} ${"V100".padStart(17)}   TCP / NTCP`];
  for (const [voi, m] of Object.entries(u.compartments)) {
    const outcome = outcomeStats(m);
    lines.push(`${voi.padEnd(20)} ${interval(m.meanDoseGy).padStart(17)} ${interval(m.D70Gy).padStart(17)} ${interval(m.V100).padStart(17)}${outcome ? `   ${outcome.label} ${interval(outcome.stats)}` : ""}`);
  }
  lines.push(`${"lung".padEnd(20)} ${interval(u.lung.meanDoseGy).padStart(17)}`);
  return lines.join("\n");
}

/**
 * What a study tabulates from each run: per-VOI metrics (every compartment of summary.json: mean
 * dose, D50–D95, V100, …, plus any numeric field the engine adds there later, e.g. BED/EUD) and
 * whole-treatment ones (lung dose, reflux share, realised T/N). A run record keeps them all; the
 * study's `metrics` list only chooses the table's columns, so changing it needs no re-run.
 */
import type { SimulationSummary } from "../pipeline/finish.js";

/** Per-VOI metrics (fields of summary.json's compartments). */
export const VOI_METRICS = ["meanDoseGy", "D50Gy", "D70Gy", "D90Gy", "D95Gy", "V100", "maxDoseGy", "meanDoseLdmGy", "meanDoseFromSpheresGy", "spheres", "volumeMl", "radiobiology.meanBedGy", "radiobiology.eubedGy", "radiobiology.eudGy", "radiobiology.tcp", "radiobiology.ntcp", "gEudGy"] as const;

/**
 * Results of a compartment's `radiobiology` block (its other fields are the LQ and outcome
 * parameters used). TCP exists for tumours and NTCP for normal-liver compartments (src/dose/outcome.ts).
 */
const RADIOBIOLOGY_RESULTS = ["meanBedGy", "eubedGy", "eudGy", "tcp", "ntcp"];

/** Whole-treatment metrics. `reflux.share` = refluxed spheres / spheres injected. */
export const GLOBAL_METRICS = ["activityGBq", "spheresInjected", "lung.meanDoseGy", "lung.spheres", "lung.radiobiology.meanBedGy", "lung.radiobiology.eudGy", "reflux.spheres", "reflux.share", "tumourToNormalRatio.realised", "resolution.massPerTerminalMg"] as const;

export const METRIC_NAMES: readonly string[] = [...VOI_METRICS, ...GLOBAL_METRICS];

/**
 * The range a metric's values can take, by its column name: a volume fraction (V100, volumeAtDose.V<x>Gy), a probability
 * (TCP, NTCP) or a share lies in [0, 1]; every other metric the engine reports (doses, BED, EUD,
 * sphere counts, volumes, activity, T/N, tissue per terminal) is non-negative. Intervals computed
 * from a normal model (stats.ts) are clipped to it.
 */
export function metricRange(column: string): readonly [number, number] {
  // V100, a compartment's volumeAtDose.V<x>Gy (x may have decimals), radiobiology.tcp / .ntcp, reflux.share.
  return /(^|\.)(V[\d.]+(Gy)?|tcp|ntcp|share)$/.test(column) ? [0, 1] : [0, Infinity];
}

/** Volume fractions at which a run's DVH is kept (D at 0 %, 1 %, …, 100 % of the VOI). */
export const DVH_VOLUME_STEPS = 101;

export type MetricValues = Record<string, number | null>;

const finiteOrNull = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

/**
 * Every metric of a run, as `voi.metric` (per VOI) and the GLOBAL_METRICS names. Nested numeric
 * fields of a compartment (one level, e.g. a future `bed: { meanGy }`) become `voi.bed.meanGy`.
 */
export function runMetrics(summary: SimulationSummary): MetricValues {
  const out: MetricValues = {};
  for (const [voi, c] of Object.entries(summary.compartments)) {
    for (const [key, value] of Object.entries(c as unknown as Record<string, unknown>)) {
      if (typeof value === "number" || value === null) out[`${voi}.${key}`] = finiteOrNull(value);
      else if (typeof value === "object" && !Array.isArray(value)) {
        for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
          if (typeof v === "number" && (key !== "radiobiology" || RADIOBIOLOGY_RESULTS.includes(sub))) out[`${voi}.${key}.${sub}`] = finiteOrNull(v);
        }
      }
    }
  }
  out.activityGBq = finiteOrNull(summary.activityGBq);
  out.spheresInjected = finiteOrNull(summary.spheresInjected);
  out["lung.meanDoseGy"] = finiteOrNull(summary.lung.meanDoseGy);
  out["lung.spheres"] = finiteOrNull(summary.lung.spheres);
  const lungBio = (summary.lung as { radiobiology?: { meanBedGy?: unknown; eudGy?: unknown } }).radiobiology;
  if (lungBio) {
    out["lung.radiobiology.meanBedGy"] = finiteOrNull(lungBio.meanBedGy);
    out["lung.radiobiology.eudGy"] = finiteOrNull(lungBio.eudGy);
  }
  out["reflux.spheres"] = finiteOrNull(summary.reflux.spheres);
  out["reflux.share"] = summary.spheresInjected > 0 ? summary.reflux.spheres / summary.spheresInjected : null;
  out["tumourToNormalRatio.realised"] = finiteOrNull(summary.tumourToNormalRatio.realisedSpheres);
  // The tree's tissue per terminal: a study that varies tree.terminals shows it beside the metrics (src/transport/resolution.ts).
  out["resolution.massPerTerminalMg"] = finiteOrNull(summary.resolution.massPerTerminalMg);
  return out;
}

/** Is the column `column` (as runMetrics names it) one of the selected metric names? */
export function columnSelected(column: string, selected: readonly string[] | undefined): boolean {
  if (selected === undefined) return true;
  if (selected.includes(column)) return true;
  const dot = column.indexOf(".");
  return dot > 0 && selected.includes(column.slice(dot + 1)) && (VOI_METRICS as readonly string[]).includes(column.slice(dot + 1));
}

/**
 * D(v): the least dose received by the hottest fraction v of the VOI, at v = 0, 0.01, …, 1, from a
 * cumulative DVH (dose increasing, volume fraction non-increasing), interpolated linearly.
 */
export function doseAtVolumeSteps(doseGy: ArrayLike<number>, volumeFraction: ArrayLike<number>): number[] {
  const n = doseGy.length;
  const out: number[] = [];
  // v decreases from 1 to 0, so the last index with VF ≥ v only moves right: one pass.
  const steps: number[] = [];
  for (let s = DVH_VOLUME_STEPS - 1; s >= 0; s--) steps.push(s / (DVH_VOLUME_STEPS - 1));
  let i = 0;
  for (const v of steps) {
    while (i + 1 < n && volumeFraction[i + 1] >= v) i++;
    let d: number;
    if (n === 0) d = 0;
    else if (volumeFraction[i] < v || i + 1 >= n) d = doseGy[i];
    else {
      const span = volumeFraction[i] - volumeFraction[i + 1];
      d = span > 0 ? doseGy[i] + ((volumeFraction[i] - v) / span) * (doseGy[i + 1] - doseGy[i]) : doseGy[i];
    }
    out.push(d);
  }
  return out.reverse();
}

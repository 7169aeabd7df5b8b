/**
 * Dose metrics of a VOI from its voxel-exact DVH (dvh.ts), and radiobiology for a permanent
 * implant.
 *
 * BED and the cell-survival EUD per tissue type: radiobiology.ts (reported under `radiobiology`).
 *
 * gEUD (Niemierko, Med Phys 1999;26:1100): (Σ vᵢ Dᵢ^a)^{1/a} for a given volume-effect
 * parameter a (a = 1: mean dose; a → −∞: minimum; a → +∞: maximum). No default a is assumed.
 *
 * TCP / NTCP: a logistic dose–response P(D) = 1 / (1 + (D50/D)^{4γ50}) of a dose summary (mean
 * dose or gEUD), and LKB NTCP = Φ((gEUD_{a=1/n} − TD50) / (m · TD50)) (Kutcher & Burman, IJROBP
 * 1989;16:1623). Their parameters are inputs: see docs/dose.md for the literature values.
 */
import { checkRange, InputError } from "../errors.js";
import { doseAtVolumePercent, volumeFractionAtLeast, type Dvh } from "./dvh.js";
import { checkLqParameters, voiRadiobiology, type RadiobiologyOptions, type VoiRadiobiology } from "./radiobiology.js";
import { logisticResponse, normalCdf } from "./outcome.js";

export { logisticResponse, normalCdf };

/** gEUD (Gy) of a DVH for volume-effect parameter a ≠ 0. */
export function generalisedEudGy(h: Dvh, a: number): number {
  if (!Number.isFinite(a) || a === 0) throw new InputError("eudA", `eudA must be a finite non-zero number, got ${a}`);
  const s = h.sortedDoseGy;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] <= 0 && a < 0) return 0;
    sum += Math.pow(s[i], a);
  }
  return Math.pow(sum / s.length, 1 / a);
}

export interface MetricsOptions {
  /** D_x levels, % of the VOI volume. Default [2, 50, 70, 90, 95, 98]. */
  dPercents?: readonly number[];
  /** V_D thresholds, Gy. Default [20, 30, 40, 50, 70, 100, 120, 150, 205]. */
  vThresholdsGy?: readonly number[];
  /** gEUD volume-effect parameter a; reported when given. */
  eudA?: number;
  /** BED and EUD of the VOI's tissue (radiobiology.ts); reported when given. */
  radiobiology?: RadiobiologyOptions;
  /** Logistic TCP of the mean dose (or gEUD when `useEud`). */
  tcp?: { d50Gy: number; gamma50: number; useEud?: boolean; source?: string };
  /** LKB NTCP: TD50 (Gy), m, n (gEUD with a = 1/n). */
  ntcp?: { td50Gy: number; m: number; n: number; source?: string };
}

export interface DoseMetrics {
  readonly voxelCount: number;
  readonly volumeMl: number;
  readonly meanGy: number;
  readonly minGy: number;
  readonly maxGy: number;
  readonly stdGy: number;
  /** D_x by name, e.g. D70, Gy. */
  readonly d: Readonly<Record<string, number>>;
  /** V_D by name, e.g. V205, as a fraction 0..1. */
  readonly v: Readonly<Record<string, number>>;
  /** gEUD (Niemierko 1999) for the given `eudA`, Gy. */
  readonly eudGy?: number;
  readonly radiobiology?: VoiRadiobiology;
  readonly tcp?: number;
  readonly ntcp?: number;
}

const DEFAULT_D_PERCENTS = [2, 50, 70, 90, 95, 98];
const DEFAULT_V_THRESHOLDS_GY = [20, 30, 40, 50, 70, 100, 120, 150, 205];

/** Dose metrics of a VOI. */
export function doseMetrics(h: Dvh, options: MetricsOptions = {}): DoseMetrics {
  const s = h.sortedDoseGy;
  const n = h.voxelCount;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (s[i] - mean) * (s[i] - mean);
  const d: Record<string, number> = {};
  for (const p of options.dPercents ?? DEFAULT_D_PERCENTS) d[`D${p}`] = doseAtVolumePercent(h, p);
  const v: Record<string, number> = {};
  for (const t of options.vThresholdsGy ?? DEFAULT_V_THRESHOLDS_GY) v[`V${t}`] = volumeFractionAtLeast(h, t);
  const result: Record<string, unknown> = { voxelCount: n, volumeMl: h.volumeMl, meanGy: mean, minGy: s[0], maxGy: s[n - 1], stdGy: Math.sqrt(sq / n), d, v };
  if (options.eudA !== undefined) result.eudGy = generalisedEudGy(h, options.eudA);
  if (options.radiobiology) {
    checkLqParameters(`radiobiology.${options.radiobiology.tissue}`, options.radiobiology.params);
    result.radiobiology = voiRadiobiology(s, options.radiobiology);
  }
  if (options.tcp) {
    checkRange("tcp.d50Gy", options.tcp.d50Gy, 0, 1e4, { minOpen: true });
    checkRange("tcp.gamma50", options.tcp.gamma50, 0, 100, { minOpen: true });
    const x = options.tcp.useEud && options.eudA !== undefined ? (result.eudGy as number) : mean;
    result.tcp = logisticResponse(x, options.tcp.d50Gy, options.tcp.gamma50);
  }
  if (options.ntcp) {
    checkRange("ntcp.td50Gy", options.ntcp.td50Gy, 0, 1e4, { minOpen: true });
    checkRange("ntcp.m", options.ntcp.m, 0, 10, { minOpen: true });
    checkRange("ntcp.n", options.ntcp.n, 0, 10, { minOpen: true });
    const eud = generalisedEudGy(h, 1 / options.ntcp.n);
    result.ntcp = normalCdf((eud - options.ntcp.td50Gy) / (options.ntcp.m * options.ntcp.td50Gy));
  }
  return result as unknown as DoseMetrics;
}

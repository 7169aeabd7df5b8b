/**
 * Dose-volume histograms as CSV (RFC 4180), one row per (volume of interest, dose) point in long
 * ("tidy") format, so curves with different dose axes share one file and any spreadsheet, R or
 * pandas reads it: `voi,doseGy,volumeFraction,volumeMl`.
 *
 * The DVH is cumulative: volumeFraction[i] is the fraction (0..1) of the VOI's volume that
 * receives a dose ≥ doseGy[i] (the definition used by src/dose; see docs/io.md).
 */
import { InputError } from "../errors.js";
import { writeFileAtomic } from "./atomic.js";

export interface DvhCurve {
  /** Volume of interest, e.g. "normal liver", "tumour 1", "perfused". */
  readonly name: string;
  /** Total volume of the VOI, mL (optional: adds the volumeMl column). */
  readonly volumeMl?: number;
  /** Dose axis, Gy, increasing. */
  readonly doseGy: ArrayLike<number>;
  /** Cumulative volume fraction receiving ≥ doseGy[i], 0..1, non-increasing. */
  readonly volumeFraction: ArrayLike<number>;
}

/** Quote a CSV field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A number as the shortest text that reads back to the same double. */
function num(x: number): string {
  return String(x);
}

/** Check a DVH curve's arrays; throws InputError naming the curve and the problem. */
export function checkDvhCurve(curve: DvhCurve): void {
  const field = `dvh[${JSON.stringify(curve.name)}]`;
  const n = curve.doseGy.length;
  if (curve.volumeFraction.length !== n) {
    throw new InputError(field, `${field}: doseGy has ${n} points but volumeFraction has ${curve.volumeFraction.length}`);
  }
  for (let i = 0; i < n; i++) {
    const d = curve.doseGy[i];
    const v = curve.volumeFraction[i];
    if (!Number.isFinite(d) || (i > 0 && d < curve.doseGy[i - 1])) {
      throw new InputError(field, `${field}: doseGy[${i}] = ${d} must be finite and non-decreasing`);
    }
    if (!(v >= 0 && v <= 1)) throw new InputError(field, `${field}: volumeFraction[${i}] = ${v} must be in [0, 1]`);
  }
  if (curve.volumeMl !== undefined && !(curve.volumeMl >= 0 && Number.isFinite(curve.volumeMl))) {
    throw new InputError(field, `${field}: volumeMl must be a finite number ≥ 0, got ${curve.volumeMl}`);
  }
}

/** DVH curves as CSV text (header + one row per point; volumeMl empty when the VOI volume is unknown). */
export function dvhToCsv(curves: readonly DvhCurve[]): string {
  const lines = ["voi,doseGy,volumeFraction,volumeMl"];
  for (const curve of curves) {
    checkDvhCurve(curve);
    const name = csvField(curve.name);
    for (let i = 0; i < curve.doseGy.length; i++) {
      const f = curve.volumeFraction[i];
      const ml = curve.volumeMl === undefined ? "" : num(f * curve.volumeMl);
      lines.push(`${name},${num(curve.doseGy[i])},${num(f)},${ml}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Write DVH curves as CSV through writeFileAtomic. */
export async function writeDvhCsv(path: string, curves: readonly DvhCurve[]): Promise<void> {
  await writeFileAtomic(path, dvhToCsv(curves));
}

/**
 * Radioactive decay of a microsphere batch: activity at a time, cumulated activity, and the
 * activity actually delivered after the residual left in the vial and tubing.
 */
import { decayConstantPerH, meanLifeS, Nuclide } from "./nuclides.js";
import { SECONDS_PER_HOUR } from "./units.js";

/** A(t) = A0 · exp(−λ t), t in hours (negative t: before the reference time). */
export function activityAt(activityGBq: number, elapsedH: number, nuclide: Nuclide): number {
  return activityGBq * Math.exp(-decayConstantPerH(nuclide) * elapsedH);
}

/** The calibration activity needed so that `activityGBq` remains after `elapsedH` hours. */
export function activityBefore(activityGBq: number, elapsedH: number, nuclide: Nuclide): number {
  return activityGBq * Math.exp(decayConstantPerH(nuclide) * elapsedH);
}

/**
 * Cumulated activity (number of decays, GBq·s) from the reference time to `untilH` hours later;
 * `untilH = Infinity` gives complete decay, A0 · τ.
 */
export function cumulatedActivityGBqS(activityGBq: number, nuclide: Nuclide, untilH = Infinity): number {
  const tau = meanLifeS(nuclide);
  if (untilH === Infinity) return activityGBq * tau;
  return activityGBq * tau * -Math.expm1(-decayConstantPerH(nuclide) * untilH);
}

/** Fraction of all decays that happen by `untilH` hours after the reference time. */
export function decayedFraction(nuclide: Nuclide, untilH: number): number {
  return untilH === Infinity ? 1 : -Math.expm1(-decayConstantPerH(nuclide) * untilH);
}

/** Activity delivered to the patient after a fraction `residualFraction` stays in vial and tubing. */
export function deliveredActivity(activityGBq: number, residualFraction: number): number {
  return activityGBq * (1 - residualFraction);
}

/** Hours between two ISO-8601 date-times (positive when `to` is after `from`). */
export function hoursBetween(fromIso: string, toIso: string): number {
  return (Date.parse(toIso) - Date.parse(fromIso)) / (1000 * SECONDS_PER_HOUR);
}

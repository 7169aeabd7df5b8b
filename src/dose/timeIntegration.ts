/**
 * Time integration of a permanent implant: the number of decays per Bq present at the reference
 * time, to complete decay or to a time point. Microspheres do not wash out, so only physical decay
 * counts: Ã = A₀ · τ · (1 − e^{−λt}), τ = T½/ln 2.
 */
import { checkRange } from "../errors.js";
import { decayConstantPerH, decayedFraction, meanLifeS, NUCLIDES, type NuclideId } from "../physics/index.js";

/** Cumulated decays per Bq from the reference time to `untilH` hours later (Infinity: complete decay), s. */
export function cumulatedSecondsPerBq(nuclide: NuclideId, untilH = Infinity): number {
  if (untilH !== Infinity) checkRange("untilH", untilH, 0, 1e6, { minOpen: true });
  const n = NUCLIDES[nuclide];
  return meanLifeS(n) * decayedFraction(n, untilH);
}

/** Factor that decays an activity measured `elapsedH` hours before the reference time to it: e^{−λ·elapsedH}. */
export function decayFactor(nuclide: NuclideId, elapsedH: number): number {
  return Math.exp(-decayConstantPerH(NUCLIDES[nuclide]) * elapsedH);
}

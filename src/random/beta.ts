/** Beta(a, b) deviates as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (exact). */
import { gamma } from "./gamma.js";
import type { RandomStream } from "./stream.js";

/** One Beta(a, b) deviate; a, b > 0. */
export function beta(stream: RandomStream, a: number, b: number): number {
  const x = gamma(stream, a);
  const y = gamma(stream, b);
  const sum = x + y;
  // Both tiny shapes can underflow to 0/0: then the mass sits at the end the larger shape favours.
  if (sum === 0) return a >= b ? 1 : 0;
  return x / sum;
}

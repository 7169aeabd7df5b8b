/**
 * Gamma(shape, 1) deviates by Marsaglia & Tsang (ACM TOMS 2000;26:363): a squeeze-accelerated
 * rejection from a transformed normal, exact for shape ≥ 1; shape < 1 uses the boost
 * Gamma(a) = Gamma(a + 1) · U^(1/a) from the same paper.
 */
import type { RandomStream } from "./stream.js";

/** One Gamma(shape, scale 1) deviate; shape > 0. */
export function gamma(stream: RandomStream, shape: number): number {
  if (shape < 1) {
    const u = stream.nextOpenFloat();
    return gamma(stream, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = stream.nextNormal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = stream.nextOpenFloat();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

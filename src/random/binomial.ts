/**
 * Exact Binomial(n, p) deviates for every n up to 2^31 (and beyond, up to 2^53 in principle).
 *
 * Two exact methods, chosen the way numpy does (numpy/random/src/distributions/distributions.c):
 * - n·min(p, 1−p) ≤ 30: sequential inversion of the CDF starting at 0 (Kachitvichyanukul &
 *   Schmeiser 1988, algorithm BINV), with the search restarted past mean + 10 sd + 10, a tail of
 *   probability < 1e-20 that is resampled rather than returned (so the law is exact up to that
 *   rejection, the same as numpy's).
 * - otherwise BTPE (Kachitvichyanukul & Schmeiser, Commun ACM 1988;31:216): triangle /
 *   parallelogram / exponential-tail majorizer with an exact acceptance test (recursive pmf ratio
 *   near the mode, Stirling bounds with the 1/(166320) series far from it).
 * No normal approximation anywhere: tests check mean, variance and a chi-square against the pmf.
 */
import type { RandomStream } from "./stream.js";

/**
 * The probability of the next binomialOfProbability draw (per thread: each worker has its own
 * module). A double passed to a function V8 does not inline is boxed, a heap number per call; the
 * cascade draws millions per batch, so its calls, and the calls below, pass p here instead
 * (21 scavenges per 10⁶-terminal cascade pass before, measured with --trace-gc).
 */
export const binomialProbability = new Float64Array(1);

/**
 * One Binomial(n, p) deviate (n ≤ 4: a sum of n Bernoulli draws) from `stream`. `n` must be a non-negative integer and p in [0, 1]
 * (kernels assume valid input; boundary code checks).
 */
export function binomial(stream: RandomStream, n: number, p: number): number {
  binomialProbability[0] = p;
  return binomialOfProbability(stream, n);
}

/** binomial(stream, n, binomialProbability[0]). */
export function binomialOfProbability(stream: RandomStream, n: number): number {
  const p = binomialProbability[0];
  if (n === 0 || p <= 0) return 0;
  if (p >= 1) return n;
  // Few trials: a sum of Bernoulli draws is exact and cheaper than either method's setup.
  if (n <= 4) {
    let k = 0;
    for (let i = 0; i < n; i++) if (stream.nextFloat() < p) k++;
    return k;
  }
  if (p <= 0.5) {
    return n * p <= 30 ? inversion(stream, n) : btpe(stream, n);
  }
  const q = 1 - p;
  if (n * q <= 30) {
    binomialProbability[0] = q;
    return n - inversion(stream, n);
  }
  return btpe(stream, n);
}

/** CDF inversion from 0 for small n·p (p = binomialProbability[0] ≤ 1/2). */
function inversion(stream: RandomStream, n: number): number {
  const p = binomialProbability[0];
  const q = 1 - p;
  const qn = Math.exp(n * Math.log1p(-p));
  const np = n * p;
  const bound = Math.min(n, np + 10 * Math.sqrt(np * q + 1));
  let x = 0;
  let px = qn;
  let u = stream.nextFloat();
  while (u > px) {
    x++;
    if (x > bound) {
      x = 0;
      px = qn;
      u = stream.nextFloat();
    } else {
      u -= px;
      px = ((n - x + 1) * p * px) / (x * q);
    }
  }
  return x;
}

/** Stirling-series correction term used by BTPE's final acceptance test. */
function stirlingTail(x: number): number {
  const x2 = x * x;
  return (13680 - (462 - (132 - (99 - 140 / x2) / x2) / x2) / x2) / x / 166320;
}

/** BTPE for n·min(p, 1−p) > 30 (p = binomialProbability[0]). */
function btpe(stream: RandomStream, n: number): number {
  const p = binomialProbability[0];
  const r = Math.min(p, 1 - p);
  const q = 1 - r;
  const fm = n * r + r;
  const m = Math.floor(fm);
  const p1 = Math.floor(2.195 * Math.sqrt(n * r * q) - 4.6 * q) + 0.5;
  const xm = m + 0.5;
  const xl = xm - p1;
  const xr = xm + p1;
  const c = 0.134 + 20.5 / (15.3 + m);
  let a = (fm - xl) / (fm - xl * r);
  const laml = a * (1 + a / 2);
  a = (xr - fm) / (xr * q);
  const lamr = a * (1 + a / 2);
  const p2 = p1 * (1 + 2 * c);
  const p3 = p2 + c / laml;
  const p4 = p3 + c / lamr;
  const nrq = n * r * q;

  let y = 0;
  for (;;) {
    const u = stream.nextFloat() * p4;
    let v = stream.nextFloat();
    if (u <= p1) {
      // Triangular region: accept immediately.
      y = Math.floor(xm - p1 * v + u);
      break;
    }
    if (u <= p2) {
      // Parallelogram.
      const x = xl + (u - p1) / c;
      v = v * c + 1 - Math.abs(m - x + 0.5) / p1;
      if (v > 1) continue;
      y = Math.floor(x);
    } else if (u <= p3) {
      // Left exponential tail.
      y = Math.floor(xl + Math.log(v) / laml);
      if (y < 0 || v === 0) continue;
      v = v * (u - p2) * laml;
    } else {
      // Right exponential tail.
      y = Math.floor(xr - Math.log(v) / lamr);
      if (y > n || v === 0) continue;
      v = v * (u - p3) * lamr;
    }
    const k = Math.abs(y - m);
    if (k <= 20 || k >= nrq / 2 - 1) {
      // Explicit evaluation of f(y)/f(m) by the recursive ratio.
      const s = r / q;
      const aa = s * (n + 1);
      let f = 1;
      if (m < y) {
        for (let i = m + 1; i <= y; i++) f *= aa / i - s;
      } else if (m > y) {
        for (let i = y + 1; i <= m; i++) f /= aa / i - s;
      }
      if (v > f) continue;
      break;
    }
    // Squeeze on log f(y)/f(m), then the exact test with Stirling's series.
    const rho = (k / nrq) * ((k * (k / 3 + 0.625) + 0.16666666666666666) / nrq + 0.5);
    const t = (-k * k) / (2 * nrq);
    const logV = Math.log(v);
    if (logV < t - rho) break;
    if (logV > t + rho) continue;
    const x1 = y + 1;
    const f1 = m + 1;
    const z = n + 1 - m;
    const w = n - y + 1;
    const bound =
      xm * Math.log(f1 / x1) +
      (n - m + 0.5) * Math.log(z / w) +
      (y - m) * Math.log((w * r) / (x1 * q)) +
      stirlingTail(f1) +
      stirlingTail(z) +
      stirlingTail(x1) +
      stirlingTail(w);
    if (logV > bound) continue;
    break;
  }
  return p > 0.5 ? n - y : y;
}

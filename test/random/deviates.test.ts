import { describe, expect, it } from "vitest";
import { createStream } from "../../src/random/stream.js";
import { binomial } from "../../src/random/binomial.js";
import { gamma } from "../../src/random/gamma.js";
import { beta } from "../../src/random/beta.js";
import { normalCdf, normalQuantile } from "../../src/random/normal.js";
import { truncatedNormal, truncatedNormalCdf } from "../../src/random/truncatedNormal.js";

/** log Γ(x) by Lanczos (g = 7, n = 9), for the exact binomial pmf in the chi-square tests. */
function logGamma(x: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function binomialPmf(n: number, p: number, k: number): number {
  return Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** Upper critical value of chi-square with `df` degrees of freedom at z standard deviations (Wilson–Hilferty). */
function chiSquareCritical(df: number, z: number): number {
  const a = 2 / (9 * df);
  return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
}

/** Chi-square statistic of `samples` draws of Binomial(n, p) against the exact pmf, bins with ≥ 5 expected. */
function chiSquareBinomial(n: number, p: number, samples: number, seed: number): { stat: number; df: number } {
  const s = createStream(seed, 0);
  const counts = new Map<number, number>();
  for (let i = 0; i < samples; i++) {
    const k = binomial(s, n, p);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  // Bins over mean ± 12 sd (the mass outside is < 1e-30); the tails pool into the end bins.
  const sd = Math.sqrt(n * p * (1 - p));
  const lo = Math.max(0, Math.floor(n * p - 12 * sd));
  const hi = Math.min(n, Math.ceil(n * p + 12 * sd));
  let stat = 0;
  let bins = 0;
  let pooledObs = 0;
  let pooledExp = 0;
  let cdf = 0;
  for (const [k, c] of counts) if (k < lo || k > hi) pooledObs += c;
  for (let k = lo; k <= hi; k++) {
    const pk = binomialPmf(n, p, k);
    cdf += pk;
    pooledObs += counts.get(k) ?? 0;
    pooledExp += samples * pk;
    if (pooledExp >= 5 && samples * (1 - cdf) >= 5) {
      stat += (pooledObs - pooledExp) ** 2 / pooledExp;
      bins++;
      pooledObs = 0;
      pooledExp = 0;
    }
  }
  pooledExp += samples * Math.max(0, 1 - cdf);
  stat += (pooledObs - pooledExp) ** 2 / pooledExp;
  bins++;
  return { stat, df: bins - 1 };
}

describe("binomial(stream, n, p)", () => {
  it.each([
    [20, 0.3, "inversion"],
    [50, 0.2, "inversion at the n·p = 10 boundary region"],
    [200, 0.3, "BTPE"],
    [1000, 0.9, "BTPE with p > 1/2"],
    [5000, 0.5, "BTPE at p = 1/2"],
    [100000, 0.001, "BTPE, n·p = 100"],
  ])("matches the exact pmf of Binomial(%i, %f) by chi-square at 4 sd (%s)", (n, p) => {
    const { stat, df } = chiSquareBinomial(n, p, 100_000, n);
    expect(df).toBeGreaterThan(3);
    expect(stat).toBeLessThan(chiSquareCritical(df, 4));
  });

  it.each([
    [2 ** 31 - 1, 0.5],
    [2 ** 31, 0.37],
    [2 ** 31, 1e-6],
    [2 ** 31, 1e-9],
    [2 ** 31, 1 - 1e-9],
    [1e9, 0.999],
    [7, 0.01],
    [3, 0.99],
  ])("has mean n·p and variance n·p·(1−p) within 5 standard errors for n = %d, p = %g", (n, p) => {
    const s = createStream(11, Math.round(p * 1e6) + (n % 1000));
    const draws = 40_000;
    let sum = 0;
    let sumSq = 0;
    const mean = n * p;
    for (let i = 0; i < draws; i++) {
      const k = binomial(s, n, p);
      expect(Number.isInteger(k) && k >= 0 && k <= n).toBe(true);
      sum += k - mean;
      sumSq += (k - mean) ** 2;
    }
    const variance = n * p * (1 - p);
    expect(Math.abs(sum / draws)).toBeLessThan(5 * Math.sqrt(variance / draws));
    // Var of the sample second moment ≈ μ4 − σ⁴ ≈ 2σ⁴ + σ²(1 − 6pq) for the binomial.
    const m2 = sumSq / draws;
    const seM2 = Math.sqrt((2 * variance * variance + variance * (1 - 6 * p * (1 - p))) / draws);
    expect(Math.abs(m2 - variance)).toBeLessThan(5 * seM2);
  });

  it("returns 0 for p = 0 or n = 0 and n for p = 1", () => {
    const s = createStream(1, 1);
    expect(binomial(s, 0, 0.5)).toBe(0);
    expect(binomial(s, 100, 0)).toBe(0);
    expect(binomial(s, 100, 1)).toBe(100);
  });
});

describe("gamma and beta", () => {
  it.each([0.3, 1, 2.5, 40])("gamma(shape %f) has mean and variance = shape within 5 standard errors", (shape) => {
    const s = createStream(5, Math.round(shape * 10));
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = gamma(s, shape);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
    const variance = sumSq / n - mean * mean;
    // Var of the sample variance of a gamma: (μ4 − σ⁴)/n with μ4 = 3k² + 6k.
    expect(Math.abs(variance - shape)).toBeLessThan(5 * Math.sqrt((2 * shape * shape + 6 * shape) / n));
  });

  it("beta(a, b) has mean a/(a+b) and variance ab/((a+b)²(a+b+1)) within 5 standard errors", () => {
    const s = createStream(6, 0);
    const [a, b] = [2, 5];
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = beta(s, a, b);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    const trueVar = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(mean - a / (a + b))).toBeLessThan(5 * Math.sqrt(trueVar / n));
    expect(Math.abs(variance - trueVar) / trueVar).toBeLessThan(0.02);
  });
});

describe("normal CDF, quantile and truncated normal", () => {
  it("normalCdf matches reference values (1e-13 absolute, 1e-9 relative in the tails)", () => {
    // Values of Φ from Abramowitz & Stegun table 26.1 / high-precision references.
    expect(normalCdf(0)).toBe(0.5);
    expect(Math.abs(normalCdf(-1) - 0.15865525393145707)).toBeLessThan(1e-13);
    expect(Math.abs(normalCdf(1.96) - 0.9750021048517795)).toBeLessThan(1e-13);
    expect(Math.abs(normalCdf(-5) / 2.866515718791939e-7 - 1)).toBeLessThan(1e-9);
    expect(Math.abs(normalCdf(-10) / 7.619853024160527e-24 - 1)).toBeLessThan(1e-8); // continued-fraction branch
  });

  it("normalQuantile inverts normalCdf (upper tail limited by 1 − u rounding)", () => {
    for (const x of [-8, -3, -1.5, -0.2, 0, 0.7, 2.4, 3]) {
      expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThan(1e-9 * Math.max(1, Math.abs(x)));
    }
  });

  it("truncatedNormal stays in [min, max] and follows truncatedNormalCdf (Kolmogorov–Smirnov at 1.95/√n)", () => {
    const t = { mean: 32, sd: 10, min: 20, max: 60 };
    for (const params of [t, { mean: 0, sd: 1, min: 3, max: 5 }]) {
      const s = createStream(8, params.min);
      const n = 20_000;
      const xs = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        xs[i] = truncatedNormal(s, params);
        expect(xs[i] >= params.min && xs[i] <= params.max).toBe(true);
      }
      xs.sort();
      let d = 0;
      for (let i = 0; i < n; i++) {
        const f = truncatedNormalCdf(xs[i], params);
        d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
      }
      expect(d).toBeLessThan(1.95 / Math.sqrt(n)); // 0.1 % level
    }
  });
});

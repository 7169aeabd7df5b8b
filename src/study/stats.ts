/**
 * The spread of a metric over the runs of one study cell (trees × seeds):
 * - `meanCi95`: the 95 % confidence interval of the mean (how well the cell mean is known);
 * - `predictionInterval95`: the 95 % prediction interval for one further run on a new tree with a
 *   new seed (assumes normally distributed runs; what one patient's next simulation may give);
 * - `runPercentiles95`: the 2.5th and 97.5th percentiles of the runs themselves (linear
 *   interpolation between order statistics, R type 7 / numpy "linear"; no normality assumed, but
 *   with few runs it is close to the min and max).
 *
 * Runs that share a tree are not independent: they differ only by the transport seed, and the
 * tree-to-tree spread is usually far larger (a review measured within-tree variance 0.0018 against
 * 0.78 between trees for a segment's mean dose). So when a cell has several trees and some tree
 * several seeds, the intervals take the trees as the units (`intervalsOver: "trees"`, a one-way
 * random-effects model): the tree means m_t (T of them) give the mean (their average),
 * meanCi95 = mean ± t(0.975, T−1)·sd(m)/√T, and the prediction interval for one further run
 * mean ± t(0.975, T−1)·√(sd(m)²·(1 + 1/T) + s_w²·(1 − mean_t(1/S_t))), s_w² the pooled
 * within-tree variance and S_t the runs of tree t (E[sd(m)²] = σ_b² + σ_w²·mean(1/S_t), and a run's
 * variance is σ_b² + σ_w²; unequal S_t when runs failed). More seeds on the same trees no longer
 * narrow them. `units` and `sdUnits` are the k and sd_u the intervals used (the trees and the sd of
 * their means, or the runs and their sd), so a reader can redo them from the tables. When every run has its own tree (`--replicas`,
 * or one seed per tree) the runs are the units (`"runs"`): mean ± t(0.975, n−1)·sd/√n and
 * mean ± t(0.975, n−1)·sd·√(1 + 1/n). With one tree and several seeds the runs are the units too,
 * but they are seeds of one tree (`"seeds of one tree"`): the intervals then say nothing of the
 * tree-to-tree spread, and the tables say so.
 * sd is the sample standard deviation of the runs (n − 1), whatever the units. With one run (or
 * one tree of one run) only the mean is defined. The two t intervals are clipped to the metric's
 * `range` (metrics.ts metricRange: a V100 or a TCP cannot leave [0, 1], a dose cannot fall below
 * 0); the mean and sd are not.
 */

export interface MetricStats {
  readonly n: number;
  readonly mean: number | null;
  readonly sd: number | null;
  readonly meanCi95: readonly [number, number] | null;
  readonly predictionInterval95: readonly [number, number] | null;
  readonly runPercentiles95: readonly [number, number] | null;
  /** What the two t intervals take as independent units (see the module comment); null without intervals. */
  readonly intervalsOver: IntervalUnits | null;
  /** The number of those units (k) and the sample sd among them (sd_u: of the runs, or of the tree means). */
  readonly units: number | null;
  readonly sdUnits: number | null;
}

export type IntervalUnits = "runs" | "trees" | "seeds of one tree";

/**
 * Statistics of the finite values among `values` (null and NaN are skipped). `trees`: the tree
 * (any key, e.g. its seed) of each value, in the same order; without it every run is its own unit.
 */
export function metricStats(values: ReadonlyArray<number | null>, range: readonly [number, number] = [-Infinity, Infinity], trees?: ReadonlyArray<number>): MetricStats {
  if (trees !== undefined && trees.length !== values.length) throw new RangeError(`metricStats: ${trees.length} tree keys for ${values.length} values`);
  // Without trees every run is a tree of its own.
  const kept = values.flatMap((v, i) => (typeof v === "number" && Number.isFinite(v) ? [{ x: v, tree: trees === undefined ? i : trees[i] }] : []));
  const xs = kept.map((k) => k.x);
  const n = xs.length;
  const none = { meanCi95: null, predictionInterval95: null, runPercentiles95: null, intervalsOver: null, units: null, sdUnits: null };
  if (n === 0) return { n, mean: null, sd: null, ...none };
  const sd = n > 1 ? sampleSd(xs) : null;
  const byTree = new Map<number, number[]>();
  for (const k of kept) {
    const group = byTree.get(k.tree);
    if (group === undefined) byTree.set(k.tree, [k.x]);
    else group.push(k.x);
  }
  const T = byTree.size;
  const units: IntervalUnits = T === n ? "runs" : T === 1 ? "seeds of one tree" : "trees";
  if (units === "trees") {
    const means = [...byTree.values()].map(meanOf);
    const mean = meanOf(means);
    const sdTrees = sampleSd(means);
    let within = 0, withinDf = 0;
    for (const group of byTree.values()) {
      const m = meanOf(group);
      for (const x of group) within += (x - m) * (x - m);
      withinDf += group.length - 1;
    }
    const withinVar = withinDf > 0 ? within / withinDf : 0;
    const meanInverseRuns = meanOf([...byTree.values()].map((g) => 1 / g.length));
    const t = studentTQuantile(0.975, T - 1);
    const halfMean = (t * sdTrees) / Math.sqrt(T);
    const halfPredict = t * Math.sqrt(sdTrees * sdTrees * (1 + 1 / T) + withinVar * (1 - meanInverseRuns));
    return { n, mean, sd, ...intervals(mean, halfMean, halfPredict, xs, range), intervalsOver: units, units: T, sdUnits: sdTrees };
  }
  const mean = meanOf(xs);
  if (n === 1 || sd === null) return { n, mean, sd: null, ...none };
  const t = studentTQuantile(0.975, n - 1);
  return { n, mean, sd, ...intervals(mean, (t * sd) / Math.sqrt(n), t * sd * Math.sqrt(1 + 1 / n), xs, range), intervalsOver: units, units: n, sdUnits: sd };
}

const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function sampleSd(xs: readonly number[]): number {
  const m = meanOf(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

function intervals(mean: number, halfMean: number, halfPredict: number, xs: readonly number[], range: readonly [number, number]) {
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    meanCi95: clipped(mean - halfMean, mean + halfMean, range),
    predictionInterval95: clipped(mean - halfPredict, mean + halfPredict, range),
    runPercentiles95: [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)] as [number, number],
  };
}

const clipped = (lo: number, hi: number, [min, max]: readonly [number, number]): [number, number] => [Math.min(max, Math.max(min, lo)), Math.min(max, Math.max(min, hi))];

/** Quantile p of sorted values, linear interpolation between order statistics (R type 7). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Quantile p (0.5 < p < 1) of Student's t with `df` degrees of freedom, by bisection on the CDF
 * F(t) = 1 − I_{df/(df+t²)}(df/2, 1/2)/2 (Abramowitz & Stegun 26.7.1 with 26.5.27).
 */
export function studentTQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Regularized incomplete beta I_x(a, b), continued fraction (Numerical Recipes 3rd ed. §6.4, Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9; accurate to ~1e-15 for x > 0). */
function logGamma(x: number): number {
  const g = 7;
  const coef = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xm = x - 1;
  let sum = coef[0];
  for (let i = 1; i < g + 2; i++) sum += coef[i] / (xm + i);
  const t = xm + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(sum);
}

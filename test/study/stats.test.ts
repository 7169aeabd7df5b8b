/** Cell statistics of a study (src/study/stats.ts). */
import { describe, expect, it } from "vitest";
import { metricStats, studentTQuantile } from "../../src/study/stats.js";
import { metricRange } from "../../src/study/metrics.js";
import { interval } from "../../src/study/replicas.js";

describe("studentTQuantile", () => {
  it("studentTQuantile(0.975, df) matches the published t table (Abramowitz & Stegun table 26.10)", () => {
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [19, 2.093],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });
});

describe("metricStats", () => {
  it("metricStats gives mean, sample sd and the three named 95 % intervals of 1..10 (hand computation)", () => {
    const s = metricStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const sd = Math.sqrt(82.5 / 9);
    expect(s.mean).toBe(5.5);
    expect(s.sd).toBeCloseTo(sd, 12);
    expect(s.meanCi95![1] - 5.5).toBeCloseTo((2.2621571628 * sd) / Math.sqrt(10), 8);
    expect(s.predictionInterval95![1] - 5.5).toBeCloseTo(2.2621571628 * sd * Math.sqrt(1.1), 8);
    // Type 7: h = 9·0.025 = 0.225 → 1.225; h = 8.775 → 9.775.
    expect(s.runPercentiles95).toEqual([1.225, 9.775]);
  });

  it("metricStats skips null and NaN, and gives only the mean for one run", () => {
    expect(metricStats([null, 3, NaN])).toEqual({ n: 1, mean: 3, sd: null, meanCi95: null, predictionInterval95: null, runPercentiles95: null, intervalsOver: null, units: null, sdUnits: null });
    expect(metricStats([]).n).toBe(0);
  });

  it("metricStats of identical runs (sd = 0) gives zero-width intervals, finite and JSON-safe", () => {
    const s = metricStats([2.5, 2.5, 2.5]);
    expect(s).toEqual({ n: 3, mean: 2.5, sd: 0, meanCi95: [2.5, 2.5], predictionInterval95: [2.5, 2.5], runPercentiles95: [2.5, 2.5], intervalsOver: "runs", units: 3, sdUnits: 0 });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it("intervals are clipped to the metric's range (a V100 near 1 over 3 replicas, a dose near 0); mean, sd and percentiles are not", () => {
    const v100 = metricStats([0.2, 0.99, 1], metricRange("T1.V100"));
    expect(v100.predictionInterval95![1]).toBe(1);
    expect(v100.meanCi95![0]).toBeGreaterThanOrEqual(0);
    expect(v100.predictionInterval95![0]).toBe(0);
    expect(v100.mean).toBeCloseTo(0.73, 12);
    const dose = metricStats([0.1, 5, 0.2], metricRange("normal.meanDoseGy"));
    expect(dose.predictionInterval95![0]).toBe(0);
    expect(dose.predictionInterval95![1]).toBeGreaterThan(5);
    expect(metricRange("S8.radiobiology.tcp")).toEqual([0, 1]);
    expect(metricRange("reflux.share")).toEqual([0, 1]);
    expect(metricRange("T1.volumeAtDose.V100Gy")).toEqual([0, 1]);
    expect(metricRange("T1.volumeAtDose.V70.5Gy")).toEqual([0, 1]);
    expect(metricRange("T1.meanDoseGy")).toEqual([0, Infinity]);
    expect(metricRange("lung.radiobiology.meanBedGy")).toEqual([0, Infinity]);
    expect(metricRange("tumourToNormalRatio.realised")).toEqual([0, Infinity]);
    // Without a range, the plain t interval.
    expect(metricStats([0.2, 0.99, 1]).predictionInterval95![1]).toBeGreaterThan(1);
  });

  it("runs that share a tree: the trees are the units, and more seeds on the same trees do not narrow the intervals (hand computation)", () => {
    // A review's cell: two trees, two seeds each; within-tree variance ~0.002, between ~0.78.
    const values = [16.72, 16.64, 15.42, 15.45];
    const trees = [7, 7, 8, 8];
    const s = metricStats(values, [0, Infinity], trees);
    const m = [(16.72 + 16.64) / 2, (15.42 + 15.45) / 2];
    const mean = (m[0] + m[1]) / 2;
    const sdTrees = Math.abs(m[0] - m[1]) / Math.SQRT2;
    const sw2 = ((16.72 - m[0]) ** 2 + (16.64 - m[0]) ** 2 + (15.42 - m[1]) ** 2 + (15.45 - m[1]) ** 2) / 2;
    const t1 = 12.706204736;
    expect(s.intervalsOver).toBe("trees");
    expect(s.n).toBe(4);
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(s.meanCi95![1] - mean).toBeCloseTo((t1 * sdTrees) / Math.SQRT2, 6);
    expect(s.meanCi95![1] - mean).toBeCloseTo(7.91, 2); // the review's "trees as the units" half-width
    expect(s.predictionInterval95![1] - mean).toBeCloseTo(t1 * Math.sqrt(sdTrees ** 2 * 1.5 + sw2 * 0.5), 6);
    // As independent runs (the old tables) the half-width was 1.15: 7× too narrow.
    expect(metricStats(values).meanCi95![1] - mean).toBeCloseTo(1.15, 2);
    // Four seeds per tree with the same tree means: the confidence interval stays as wide.
    const more = metricStats([16.72, 16.64, 16.70, 16.66, 15.42, 15.45, 15.43, 15.44], [0, Infinity], [7, 7, 7, 7, 8, 8, 8, 8]);
    expect(more.meanCi95![1] - more.mean!).toBeCloseTo(s.meanCi95![1] - mean, 6);
    expect(s.units).toBe(2);
    expect(s.sdUnits).toBeCloseTo(sdTrees, 12);
    // Unequal runs per tree (a failed run): the within-tree term uses mean(1/S_t), not T/n.
    // Trees {1} and {2, 4, 3}: m = 1, 3; sd(m) = √2; s_w² = 1 (df 2); mean(1/S) = (1 + 1/3)/2 = 2/3.
    const unbalanced = metricStats([1, 2, 4, 3], [-Infinity, Infinity], [1, 2, 2, 2]);
    expect(unbalanced.mean).toBe(2);
    expect(unbalanced.predictionInterval95![1] - 2).toBeCloseTo(t1 * Math.sqrt(2 * 1.5 + 1 * (1 - 2 / 3)), 9);
    expect(unbalanced.predictionInterval95![1] - 2).toBeCloseTo(23.20, 2); // the review's value (T/n gave 23.77)
    expect(() => metricStats([1, 2], [0, 1], [7])).toThrow(RangeError);
    // One tree: the seeds are the units, and the tables say so.
    expect(metricStats([1, 2, 3], [0, Infinity], [7, 7, 7]).intervalsOver).toBe("seeds of one tree");
    // One seed per tree (the replicas' diagonal): the runs are the units, as without trees.
    expect(metricStats([1, 2, 3], [0, Infinity], [7, 8, 9])).toEqual(metricStats([1, 2, 3], [0, Infinity]));
  });

  it("one run: JSON has null (never NaN) and the text says n/a", () => {
    const s = metricStats([4]);
    expect(JSON.stringify(s)).not.toContain("NaN");
    expect(interval(s)).toBe("n/a (n = 1)");
    expect(interval(metricStats([1, 3]))).toMatch(/^-?[\d.]+ – [\d.]+$/);
  });
});

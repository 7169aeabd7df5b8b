/**
 * A synthetic case for the report tests: an ellipsoidal "liver" with two spherical "tumours" in a
 * body-shaped CT, a dose that is higher in the tumours and falls off at the edges, the cumulative
 * DVHs computed from it, a cluster histogram and a small binary tree.
 */
import type { Grid } from "../../src/geometry/grid.js";
import type { DvhCurve, ReportInput } from "../../src/report/index.js";

export function phantomReportInput(n = 64): ReportInput {
  const dims: [number, number, number] = [n, n, Math.round(n * 0.75)];
  const spacingMm: [number, number, number] = [256 / n, 256 / n, 256 / n];
  const originMm: [number, number, number] = [-128, -128, -96];
  const geometry = { dims, spacingMm, originMm, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Grid["direction"], frame: "RAS" as const };
  const count = dims[0] * dims[1] * dims[2];
  const dose = new Float32Array(count);
  const ct = new Float32Array(count);
  const labels = new Uint16Array(count);
  // Liver on the patient's right (RAS: +x = Right), tumours at (70, 10, 0) r 22 and (20, −15, 20) r 12.
  const tumours = [
    { c: [70, 10, 0], r: 22, doseGy: 180 },
    { c: [20, -15, 20], r: 12, doseGy: 260 },
  ];
  let v = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, v++) {
        const x = originMm[0] + i * spacingMm[0];
        const y = originMm[1] + j * spacingMm[1];
        const z = originMm[2] + k * spacingMm[2];
        const body = (x / 120) ** 2 + (y / 95) ** 2 <= 1;
        const liver = ((x - 45) / 85) ** 2 + ((y - 5) / 60) ** 2 + (z / 70) ** 2 <= 1;
        ct[v] = body ? (liver ? 60 : 30) : -1000;
        if (body && Math.hypot(x, y + 60) < 14) ct[v] = 700; // a vertebra-like bright rod, posterior midline
        let d = liver ? 35 : 0;
        if (liver) labels[v] = 1;
        tumours.forEach((t, n2) => {
          const r = Math.hypot(x - t.c[0], y - t.c[1], z - t.c[2]);
          if (r <= t.r) {
            labels[v] = 2 + n2;
            d = t.doseGy * (1 - 0.3 * (r / t.r) ** 2);
          }
        });
        dose[v] = d;
      }
    }
  }
  // Blur the dose a little along x (cross-fire at the edges) without going negative.
  const blurred = new Float32Array(count);
  for (let w = 0; w < count; w++) {
    const i = w % dims[0];
    const l = i > 0 ? dose[w - 1] : dose[w];
    const r = i < dims[0] - 1 ? dose[w + 1] : dose[w];
    blurred[w] = 0.25 * l + 0.5 * dose[w] + 0.25 * r;
  }
  const names: Record<number, string> = { 1: "normal liver", 2: "tumour 1", 3: "tumour 2" };
  const dvh: DvhCurve[] = [1, 2, 3].map((label) => {
    const values: number[] = [];
    for (let w = 0; w < count; w++) if (labels[w] === label) values.push(blurred[w]);
    values.sort((a, b) => a - b);
    const doseGy = Array.from({ length: 61 }, (_, b) => b * 5);
    const volumeFraction = doseGy.map((d) => values.filter((x) => x >= d).length / values.length);
    return { name: names[label], volumeMl: (values.length * spacingMm[0] ** 3) / 1000, doseGy, volumeFraction };
  });
  // A small binary tree: 7 generations from the liver hilum.
  const prox: number[] = [];
  const dist: number[] = [];
  const radius: number[] = [];
  const lodged: number[] = [];
  const grow = (p: number[], dir: number[], r: number, gen: number) => {
    const len = 30 * 0.8 ** gen;
    const q = p.map((c, a) => c + dir[a] * len);
    prox.push(...p);
    dist.push(...q);
    radius.push(r);
    lodged.push(gen === 6 ? Math.round(10 ** (2 + 2 * Math.abs(Math.sin(prox.length)))) : 0);
    if (gen === 6) return;
    const t = 0.5;
    for (const s of [1, -1]) {
      const d = [dir[0] * Math.cos(t) - s * dir[1] * Math.sin(t), s * dir[0] * Math.sin(t) + dir[1] * Math.cos(t), dir[2] + 0.15 * s];
      const norm = Math.hypot(d[0], d[1], d[2]);
      grow(q, d.map((c) => c / norm), r * 0.79, gen + 1);
    }
  };
  grow([10, -20, -40], [0.5, 0.2, 0.84], 2.5, 0);
  phantomCt.set(blurred, { ...geometry, data: ct });
  return {
    title: "sirtsim report — synthetic phantom",
    subtitle: "Y-90 resin microspheres, partition model, test phantom",
    summary: [
      { label: "Case", value: "synthetic phantom (two tumours)" },
      { label: "Product", value: "SIR-Spheres (resin, Y-90)" },
      { label: "Activity", value: "1.67 GBq" },
      { label: "Lung shunt fraction", value: 0.05 },
    ],
    doseGy: { ...geometry, data: blurred },
    anatomy: { kind: "labels", grid: { ...geometry, data: labels }, names },
    isodoseGy: [40, 100, 150, 205],
    dvh,
    metrics: {
      columns: ["volume", "mean dose (Gy)", "D70 (Gy)", "V100 (%)"],
      rows: [["normal liver", 34.9, 33.1, 0.2], ["tumour 1", 150.2, 141.7, 98.5], ["tumour 2", 221.4, 208.8, 100]],
    },
    advisories: [
      { level: "info", code: "EANM-RESIN-TUMOUR", message: "Tumour mean dose ≥ 100–120 Gy (EANM 2022, resin)." },
      { level: "warning", code: "EANM-RESIN-NORMAL", message: "Perfused normal liver < 40 Gy: 34.9 Gy is close to the limit." },
    ],
    clusterHistogram: { spheresPerCluster: [1, 2, 3, 4, 5, "6–10", "11–20", ">20"], counts: [52000, 9100, 2100, 640, 210, 150, 22, 3], caption: "spheres lodged per terminal arteriole" },
    tree: { proximalMm: prox, distalMm: dist, radiusMm: radius, lodged },
    provenance: { software: "sirtsim", version: "test", seed: 42, constants: { doseCoefficientGyKgPerGBq: 49.67 } },
    notes: ["Synthetic data for the report tests."],
  };
}

const phantomCt = new WeakMap<object, Grid>();

/** The same phantom with its CT (body, liver, a vertebra) under the dose instead of the label map. */
export function withCt(input: ReportInput): ReportInput {
  const ct = phantomCt.get(input.doseGy.data);
  if (!ct) throw new Error("withCt needs an input made by phantomReportInput");
  return { ...input, anatomy: { kind: "ct", grid: ct } };
}

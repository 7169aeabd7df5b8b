/**
 * Lobule doses of glass microspheres at 120 Gy against Walrand et al., J Nucl Med 2014;55:135
 * ("The low hepatic toxicity per gray of 90Y glass microspheres is linked to their transport in the
 * arterial tree favoring a nonuniform trapping as observed in posttherapy PET imaging").
 *
 * Their anchors (reference README, "Validation anchors"): glass at 120 Gy with lobules as hexagonal
 * prisms — one sphere in every portal tract gives ≥ 100 Gy everywhere; random trapping with 50/50
 * splitting gives a lobule-dose peak near 103 Gy (FWHM ~20 Gy); with 60/40 splitting the peak moves
 * to ~50 Gy and ~17 % of lobules get < 40 Gy.
 *
 * Our version with sirtsim's own engine: a liver region (one ellipsoid, 193 mL) and a grown tree
 * whose terminals are portal tracts (1 per mg of tissue, reference README); glass spheres of 2500 Bq
 * (TheraSphere at calibration) for 120 Gy mean with K = 50 Gy·kg/GBq; no size exclusion, no
 * feedback, no lung shunt (their model traps every sphere at a terminal). Lodging positions come
 * from the transport stage (uniform in a ball of the terminal's territory volume around its distal
 * point). Lobule dose = the dose of a cubic voxel of one lobule's volume, 1.25 mm (1.95 mm³ ≈ 2 mg;
 * Walrand: 1.87 mm³), by local deposition (only the lobule's own spheres) and by the Y-90 voxel
 * S-value convolution (cross-fire from neighbouring lobules included). Only voxels ≥ 11 mm (the
 * maximum beta range) inside the region's surface are counted, so every lobule has its full
 * neighbourhood of cross-fire.
 *
 * Run: npx tsx bench/validation-walrand.ts [--terminals N]   (~30 s at the default 199,000)
 */
import { buildDomain, axisAlignedGeometry, voxelToWorld } from "../src/geometry/index.js";
import type { Grid, Vec3 } from "../src/geometry/index.js";
import { parseGeometrySection, parseTreeSection } from "../src/vascular/config.js";
import { growTree } from "../src/vascular/index.js";
import type { ArterialTree } from "../src/vascular/index.js";
import { forEachLodgedSphereChunk, simulateTransport } from "../src/transport/index.js";
import { activityGridFromSpheres, doseFromActivity, localDepositionDose, voxelSValues } from "../src/dose/index.js";

const SEMI_AXES_MM: Vec3 = [40, 36, 32];
const DENSITY_G_PER_ML = 1.03; // src/physics DEFAULT_TISSUE_DENSITY_G_PER_ML
const TARGET_GY = 120; // Walrand 2014: glass at 120 Gy
const K_GY_KG_PER_GBQ = 50; // TheraSphere label
const SPHERE_BQ = 2500; // TheraSphere at calibration (reference README)
const LOBULE_VOXEL_MM = 1.25; // 1.953 mm³ ≈ 2 mg lobule (Walrand: 1.87 mm³ hexagonal prism)
const ERODE_MM = 11; // maximum Y-90 beta range: lobules deeper than this have full cross-fire
const SEED = 2014;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const volumeMl = ((4 / 3) * Math.PI * SEMI_AXES_MM[0] * SEMI_AXES_MM[1] * SEMI_AXES_MM[2]) / 1000;
const massKg = (volumeMl * DENSITY_G_PER_ML) / 1000;
const terminals = Number(arg("--terminals") ?? Math.round(massKg * 1e6)); // 1 portal tract per mg
const spheres = Math.round((TARGET_GY * massKg) / (K_GY_KG_PER_GBQ * SPHERE_BQ * 1e-9));

const t0 = Date.now();
const domain = buildDomain(parseGeometrySection({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: SEMI_AXES_MM }] } }));
// Arterial flow scaled to the region (400 mL/min for a 1.59 L liver); only flow fractions matter here.
const tree = growTree(domain, parseTreeSection({ terminals, seed: 7, rootFlowMlPerMin: (400 * volumeMl) / 1590 }), 7);
const treeSeconds = (Date.now() - t0) / 1000;

const generations: number[] = [];
for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) generations.push(tree.generation[j]);
generations.sort((a, b) => a - b);
const meanGeneration = generations.reduce((a, b) => a + b, 0) / generations.length;

// Dose grid: the region plus the kernel range.
const margin = 12;
const dims = SEMI_AXES_MM.map((a) => Math.ceil((2 * (a + margin)) / LOBULE_VOXEL_MM)) as Vec3;
const origin = SEMI_AXES_MM.map((_, i) => -((dims[i] - 1) * LOBULE_VOXEL_MM) / 2) as Vec3;
const geometry = axisAlignedGeometry(dims, [LOBULE_VOXEL_MM, LOBULE_VOXEL_MM, LOBULE_VOXEL_MM], origin);
const n = dims[0] * dims[1] * dims[2];
// Lobules counted: voxel centres inside the ellipsoid shrunk by ERODE_MM on every semi-axis (a
// conservative interior: the distance to the surface is at least ERODE_MM).
const interior = new Uint8Array(n);
const inRegion = new Uint8Array(n);
{
  const w: Vec3 = [0, 0, 0];
  const inner = SEMI_AXES_MM.map((a) => a - ERODE_MM);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    voxelToWorld(w, geometry, i, j, k);
    const v = i + dims[0] * (j + dims[1] * k);
    if ((w[0] / inner[0]) ** 2 + (w[1] / inner[1]) ** 2 + (w[2] / inner[2]) ** 2 <= 1) interior[v] = 1;
    if ((w[0] / SEMI_AXES_MM[0]) ** 2 + (w[1] / SEMI_AXES_MM[1]) ** 2 + (w[2] / SEMI_AXES_MM[2]) ** 2 <= 1) inRegion[v] = 1;
  }
}
const kernel = voxelSValues("Y-90", LOBULE_VOXEL_MM, { densityGPerMl: DENSITY_G_PER_ML });

interface Stats { mean: number; mode: number; fwhm: number; below40: number; atLeast100: number; p1: number; lobules: number }

function stats(dose: Float32Array, binGy: number): Stats {
  const values: number[] = [];
  for (let v = 0; v < n; v++) if (interior[v]) values.push(dose[v]);
  values.sort((a, b) => a - b);
  const bins = new Float64Array(Math.ceil(values[values.length - 1] / binGy) + 2);
  for (const x of values) bins[Math.floor(x / binGy)]++;
  let m = 0;
  for (let b = 1; b < bins.length; b++) if (bins[b] > bins[m]) m = b;
  const half = bins[m] / 2;
  let lo = m;
  while (lo > 0 && bins[lo - 1] >= half) lo--;
  let hi = m;
  while (hi < bins.length - 1 && bins[hi + 1] >= half) hi++;
  // Half-maximum crossings by linear interpolation between bin centres.
  const left = lo > 0 ? lo - 1 + (half - bins[lo - 1]) / (bins[lo] - bins[lo - 1]) : lo;
  const right = hi < bins.length - 1 ? hi + (bins[hi] - half) / (bins[hi] - bins[hi + 1]) : hi;
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    mode: (m + 0.5) * binGy,
    fwhm: (right - left) * binGy,
    below40: values.filter((x) => x < 40).length / values.length,
    atLeast100: values.filter((x) => x >= 100).length / values.length,
    p1: values[Math.floor(0.01 * values.length)],
    lobules: values.length,
  };
}

async function lobuleDoses(t: ArterialTree, segmentLodged: Uint32Array, sphereBq = SPHERE_BQ): Promise<{ ldm: Stats; fft: Stats; zeroTerminals: number; cv: number; regionMeanGy: number }> {
  const counts: Grid<Float64Array> = { ...geometry, data: new Float64Array(n) };
  forEachLodgedSphereChunk(t, segmentLodged, SEED, (chunk) => {
    activityGridFromSpheres(counts, chunk.positionsMm, sphereBq, { nuclide: "Y-90" });
  });
  const ldm: Grid<Float32Array> = { ...geometry, data: new Float32Array(n) };
  localDepositionDose(ldm, counts, { nuclide: "Y-90", densityGPerMl: DENSITY_G_PER_ML, doseCoefficientGyKgPerGBq: K_GY_KG_PER_GBQ });
  const fft: Grid<Float32Array> = { ...geometry, data: new Float32Array(n) };
  await doseFromActivity(fft, counts, kernel);
  let zero = 0;
  let sum = 0;
  let sum2 = 0;
  let terms = 0;
  for (let j = 0; j < t.segmentCount; j++) {
    if (t.child0[j] >= 0) continue;
    const c = segmentLodged[j];
    if (c === 0) zero++;
    sum += c;
    sum2 += c * c;
    terms++;
  }
  const mean = sum / terms;
  // Mean over every lobule of the region (local deposition: exactly the injected dose).
  let regionSum = 0;
  let regionVoxels = 0;
  for (let v = 0; v < n; v++) {
    if (!inRegion[v]) continue;
    regionSum += ldm.data[v];
    regionVoxels++;
  }
  return { ldm: stats(ldm.data, 62.5 / 8), fft: stats(fft.data, 4), zeroTerminals: zero / terms, cv: Math.sqrt(sum2 / terms - mean * mean) / mean, regionMeanGy: regionSum / regionVoxels };
}

const rows: Array<[string, Awaited<ReturnType<typeof lobuleDoses>>]> = [];
// One sphere in every portal tract (deterministic, Walrand's ideal case).
const onePerTerminal = new Uint32Array(tree.segmentCount);
let nTerm = 0;
for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) { onePerTerminal[j] = 1; nTerm++; }
// The same 120 Gy: each sphere carries the activity of spheres / terminals glass spheres.
rows.push([`one sphere per portal tract (${nTerm.toLocaleString("en")} spheres of ${((SPHERE_BQ * spheres) / nTerm).toFixed(0)} Bq)`, await lobuleDoses(tree, onePerTerminal, (SPHERE_BQ * spheres) / nTerm)]);
for (const bias of [0.5, 0.6]) {
  const r = simulateTransport(tree, { spheres, bias, diameterUm: null, embolic: { enabled: false } }, SEED);
  rows.push([`random trapping, ${Math.round(bias * 100)}/${Math.round((1 - bias) * 100)} splitting (bias ${bias})`, await lobuleDoses(tree, r.segmentLodged)]);
}

console.log(`Walrand et al. J Nucl Med 2014;55:135 — lobule doses of glass at ${TARGET_GY} Gy (node ${process.version})`);
console.log(`region ${volumeMl.toFixed(0)} mL (${(massKg * 1000).toFixed(0)} g), ${terminals.toLocaleString("en")} terminals (1 per mg = portal tracts), tree grown in ${treeSeconds.toFixed(1)} s; terminal generations ${generations[0]}–${generations[generations.length - 1]}, mean ${meanGeneration.toFixed(1)}`);
console.log(`${spheres.toLocaleString("en")} glass spheres × ${SPHERE_BQ} Bq (K ${K_GY_KG_PER_GBQ} Gy·kg/GBq); lobule = ${LOBULE_VOXEL_MM} mm voxel (${(LOBULE_VOXEL_MM ** 3).toFixed(2)} mm³); ${rows[0][1].fft.lobules.toLocaleString("en")} lobules ≥ ${ERODE_MM} mm inside the surface`);
console.log("");
console.log("| trapping | terminals with 0 spheres | CV of spheres per terminal | region mean Gy (all lobules) | lobule dose | mean Gy | peak Gy | FWHM Gy | 1st percentile Gy | lobules < 40 Gy | lobules ≥ 100 Gy |");
console.log("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
const f = (x: number, d = 1) => x.toFixed(d);
for (const [label, r] of rows) {
  for (const [kind, s] of [["with cross-fire (S-value convolution)", r.fft], ["local deposition (own spheres only)", r.ldm]] as const) {
    console.log(`| ${label} | ${f(100 * r.zeroTerminals)} % | ${f(r.cv, 2)} | ${f(r.regionMeanGy)} | ${kind} | ${f(s.mean)} | ${f(s.mode)} | ${f(s.fwhm)} | ${f(s.p1)} | ${f(100 * s.below40)} % | ${f(100 * s.atLeast100)} % |`);
  }
}
console.log(`\nWalrand 2014: one sphere per portal tract ≥ 100 Gy everywhere; 50/50: peak ~103 Gy, FWHM ~20 Gy; 60/40: peak ~50 Gy, ~17 % of lobules < 40 Gy. Total ${((Date.now() - t0) / 1000).toFixed(1)} s.`);

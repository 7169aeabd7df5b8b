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
 * Two trees, the same transport and dose engine:
 *  A. sirtsim's own grown tree: a liver region (one ellipsoid, 193 mL) whose terminals are portal
 *     tracts (1 per mg of tissue, reference README), sites drawn at random ∝ perfusion; lobule =
 *     cubic voxel of 1.25 mm (1.95 mm³ ≈ 2 mg; Walrand: 1.87 mm³).
 *  B. a Walrand-like tree: symmetric and dichotomous with a fixed number of generations G (2^G
 *     terminals, equal flows), terminals on a regular 1 mm lattice (1 mg portal tracts), each
 *     bifurcation splitting space in two along alternating axes, with the favoured (child0) half
 *     chosen at random per bifurcation so the 60/40 bias has no fixed spatial direction; lobule =
 *     1 × 1 × 2 mm voxel (2 mm³, a prism holding two portal tracts).
 * Glass spheres of 2500 Bq (TheraSphere at calibration) for 120 Gy mean with K = 50 Gy·kg/GBq; no
 * size exclusion, no feedback, no lung shunt (their model traps every sphere at a terminal).
 * Lodging positions are placed as `sirtsim simulate` places them (src/pipeline/core.ts
 * spherePlacement: uniform in the terminal's territory clipped to its tissue, or the "fractal"
 * model's sub-terminal cascade over unit-mass cells); the symmetric tree has no case domain, so its
 * spheres are not clipped (its lobules are ≥ 11 mm inside the box anyway). Lobule dose by local deposition (only the lobule's own spheres)
 * and by the Y-90 voxel S-value convolution (cross-fire from neighbouring lobules included). Only
 * lobules ≥ 11 mm (the maximum beta range) inside the region's surface are counted, so every
 * lobule has its full neighbourhood of cross-fire.
 *
 * Run: npx tsx bench/validation-walrand.ts [--terminals N] [--generations G]   (~30 s by default)
 */
import { pathToFileURL } from "node:url";
import { buildDomain, axisAlignedGeometry, voxelToWorld } from "../src/geometry/index.js";
import type { Grid, GridGeometry, Vec3 } from "../src/geometry/index.js";
import { parseGeometrySection, parseTreeSection } from "../src/vascular/config.js";
import { growTree } from "../src/vascular/index.js";
import type { ArterialTree } from "../src/vascular/index.js";
import { simulateTransport } from "../src/transport/index.js";
import type { HeterogeneityOptions } from "../src/transport/models/heterogeneity.js";
import { forEachPlacedSphereChunk, spherePlacement } from "../src/pipeline/core.js";
import type { Domain } from "../src/geometry/index.js";
import { activityGridFromSpheres, doseFromActivity, localDepositionDose, voxelSValues } from "../src/dose/index.js";
import type { VoxelSValues } from "../src/dose/index.js";
import { createStream } from "../src/random/stream.js";
import { buildSyntheticTree } from "../test/transport/helpers/syntheticTree.js";

export const DENSITY_G_PER_ML = 1.03; // src/physics DEFAULT_TISSUE_DENSITY_G_PER_ML
export const TARGET_GY = 120; // Walrand 2014: glass at 120 Gy
export const K_GY_KG_PER_GBQ = 50; // TheraSphere label
export const SPHERE_BQ = 2500; // TheraSphere at calibration (reference README)
const ERODE_MM = 11; // maximum Y-90 beta range: lobules deeper than this have full cross-fire
const MARGIN_MM = 12; // dose grid beyond the region
export const SEED = 2014;

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

/** A tree in a region, with the dose grid of its lobules. */
export interface Setup {
  readonly label: string;
  readonly tree: ArterialTree;
  /** The case domain the tree was grown in (null: Walrand's lattice tree, built without one). */
  readonly domain: Domain | null;
  readonly massKg: number;
  readonly geometry: GridGeometry;
  /** Voxels counted as lobules (≥ ERODE_MM inside the surface). */
  readonly interior: Uint8Array;
  /** Voxels inside the region. */
  readonly inRegion: Uint8Array;
  readonly kernel: VoxelSValues;
  readonly description: string;
}

/** Dose grid over [−half, half] + margin with the given voxel, and the region / interior masks. */
export function grid(halfMm: Vec3, voxelMm: Vec3, inside: (x: number, y: number, z: number, erodeMm: number) => boolean) {
  const dims = halfMm.map((h, a) => Math.ceil((2 * (h + MARGIN_MM)) / voxelMm[a])) as Vec3;
  const origin = halfMm.map((_, a) => -((dims[a] - 1) * voxelMm[a]) / 2) as Vec3;
  const geometry = axisAlignedGeometry(dims, voxelMm, origin);
  const n = dims[0] * dims[1] * dims[2];
  const interior = new Uint8Array(n);
  const inRegion = new Uint8Array(n);
  const w: Vec3 = [0, 0, 0];
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
    voxelToWorld(w, geometry, i, j, k);
    const v = i + dims[0] * (j + dims[1] * k);
    if (inside(w[0], w[1], w[2], ERODE_MM)) interior[v] = 1;
    if (inside(w[0], w[1], w[2], 0)) inRegion[v] = 1;
  }
  return { geometry, interior, inRegion, kernel: voxelSValues("Y-90", voxelMm, { densityGPerMl: DENSITY_G_PER_ML }) };
}

export function terminalGenerations(tree: ArterialTree): string {
  let lo = Infinity;
  let hi = 0;
  let sum = 0;
  let count = 0;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) continue;
    const g = tree.generation[j];
    lo = Math.min(lo, g);
    hi = Math.max(hi, g);
    sum += g;
    count++;
  }
  return lo === hi ? `all ${lo}` : `${lo}–${hi}, mean ${(sum / count).toFixed(1)}`;
}

/** A. sirtsim's grown tree in an ellipsoidal region, terminals = portal tracts. */
/** The grown tree's region: an ellipsoid of 193 mL (semi-axes, mm). */
export const GROWN_SEMI_AXES_MM: Vec3 = [40, 36, 32];

export function grownSetup(given?: ArterialTree): Setup {
  const semiAxes = GROWN_SEMI_AXES_MM;
  const volumeMl = ((4 / 3) * Math.PI * semiAxes[0] * semiAxes[1] * semiAxes[2]) / 1000;
  const massKg = (volumeMl * DENSITY_G_PER_ML) / 1000;
  const terminals = Number(arg("--terminals") ?? Math.round(massKg * 1e6)); // 1 portal tract per mg
  const t0 = Date.now();
  const domain = buildDomain(parseGeometrySection({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: semiAxes }] } }));
  // Arterial flow scaled to the region (400 mL/min for a 1.59 L liver); only flow fractions matter here.
  const tree = given ?? growTree(domain, parseTreeSection({ terminals, seed: 7, rootFlowMlPerMin: (400 * volumeMl) / 1590 }), 7);
  const seconds = (Date.now() - t0) / 1000;
  const voxel = 1.25; // 1.953 mm³ ≈ 2 mg lobule
  const inside = (x: number, y: number, z: number, e: number) => (x / (semiAxes[0] - e)) ** 2 + (y / (semiAxes[1] - e)) ** 2 + (z / (semiAxes[2] - e)) ** 2 <= 1;
  return {
    label: "A. grown tree",
    tree,
    domain,
    massKg,
    ...grid(semiAxes, [voxel, voxel, voxel], inside),
    description: `ellipsoid ${semiAxes.join(" × ")} mm semi-axes (${volumeMl.toFixed(0)} mL), ${terminals.toLocaleString("en")} terminals at random sites (grown in ${seconds.toFixed(1)} s), terminal generations ${terminalGenerations(tree)}; lobule = ${voxel} mm cube`,
  };
}

/** B. Walrand-like: symmetric dichotomous tree over a regular 1 mm lattice of portal tracts. */
export function symmetricSetup(G = Number(arg("--generations") ?? 18), flipSeed = SEED): Setup {
  const bitsPerAxis = [0, 1, 2].map((a) => Math.floor(G / 3) + (a < G % 3 ? 1 : 0));
  const side = bitsPerAxis.map((b) => 2 ** b) as Vec3; // lattice points per axis, 1 mm apart
  const tree = buildSyntheticTree({ terminals: 2 ** G, splitRange: [0.5, 0.5], territoryMl: 0.001, seed: 5 });
  // Level k of the tree splits axis k mod 3; the child that takes the lower half is random.
  const stream = createStream(flipSeed, 1n);
  const code = new Float64Array(tree.segmentCount); // lattice bits chosen so far (G ≤ 30)
  const coords = new Int32Array(3 * tree.segmentCount);
  for (let i = 0; i < tree.segmentCount; i++) {
    const c0 = tree.child0[i];
    if (c0 < 0) continue;
    const axis = tree.generation[i] % 3;
    const flip = stream.nextFloat() < 0.5 ? 1 : 0;
    for (const [c, bit] of [[c0, flip], [tree.child1[i], 1 - flip]] as const) {
      coords[3 * c] = coords[3 * i];
      coords[3 * c + 1] = coords[3 * i + 1];
      coords[3 * c + 2] = coords[3 * i + 2];
      coords[3 * c + axis] = 2 * coords[3 * i + axis] + bit;
      code[c] = 2 * code[i] + bit;
    }
  }
  const distal = tree.distalMm as Float64Array;
  for (let i = 0; i < tree.segmentCount; i++) {
    if (tree.child0[i] >= 0) continue;
    for (let a = 0; a < 3; a++) distal[3 * i + a] = coords[3 * i + a] + 0.5 - side[a] / 2;
  }
  const half = side.map((s) => s / 2) as Vec3;
  const volumeMl = (side[0] * side[1] * side[2]) / 1000;
  const inside = (x: number, y: number, z: number, e: number) => Math.abs(x) <= half[0] - e && Math.abs(y) <= half[1] - e && Math.abs(z) <= half[2] - e;
  return {
    label: "B. symmetric tree",
    tree,
    domain: null,
    massKg: (volumeMl * DENSITY_G_PER_ML) / 1000,
    ...grid(half, [1, 1, 2], inside),
    description: `box ${side.join(" × ")} mm (${volumeMl.toFixed(0)} mL), ${(2 ** G).toLocaleString("en")} terminals on a 1 mm lattice, terminal generations ${terminalGenerations(tree)}; lobule = 1 × 1 × 2 mm voxel (two portal tracts)`,
  };
}

export interface Stats { mean: number; mode: number; fwhm: number; below40: number; atLeast100: number; p1: number; lobules: number }

export function stats(dose: Float32Array, interior: Uint8Array, binGy: number): Stats {
  const values: number[] = [];
  for (let v = 0; v < dose.length; v++) if (interior[v]) values.push(dose[v]);
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

export interface Row { fft: Stats; ldm: Stats; zeroTerminals: number; cv: number; regionMeanGy: number }

/** The transport choices a run was made with: they decide how its spheres are placed (core.ts spherePlacement). */
export interface Model { readonly heterogeneity: HeterogeneityOptions; readonly bias: number }

/** Lobule doses of a run made with `model`, its spheres placed as `sirtsim simulate` places them (positions seed = the run's seed). */
export async function lobuleDoses(s: Setup, segmentLodged: Uint32Array, sphereBq: number, positionsSeed: number, model: Model): Promise<Row> {
  const n = s.interior.length;
  const counts: Grid<Float64Array> = { ...s.geometry, data: new Float64Array(n) };
  // The runs here have no size exclusion (diameterUm null), so the placement has none either.
  forEachPlacedSphereChunk(s.tree, segmentLodged, positionsSeed, spherePlacement(s.tree, s.domain, model, null), (chunk) => {
    activityGridFromSpheres(counts, chunk.positionsMm, sphereBq, { nuclide: "Y-90" });
  });
  const ldm: Grid<Float32Array> = { ...s.geometry, data: new Float32Array(n) };
  localDepositionDose(ldm, counts, { nuclide: "Y-90", densityGPerMl: DENSITY_G_PER_ML, doseCoefficientGyKgPerGBq: K_GY_KG_PER_GBQ });
  const fft: Grid<Float32Array> = { ...s.geometry, data: new Float32Array(n) };
  await doseFromActivity(fft, counts, s.kernel);
  let zero = 0;
  let sum = 0;
  let sum2 = 0;
  let terms = 0;
  for (let j = 0; j < s.tree.segmentCount; j++) {
    if (s.tree.child0[j] >= 0) continue;
    const c = segmentLodged[j];
    if (c === 0) zero++;
    sum += c;
    sum2 += c * c;
    terms++;
  }
  const mean = sum / terms;
  // Mean over every lobule of the region (local deposition).
  let regionSum = 0;
  let regionVoxels = 0;
  for (let v = 0; v < n; v++) {
    if (!s.inRegion[v]) continue;
    regionSum += ldm.data[v];
    regionVoxels++;
  }
  const lobuleGy = (K_GY_KG_PER_GBQ * sphereBq * 1e-9) / ((s.geometry.spacingMm[0] * s.geometry.spacingMm[1] * s.geometry.spacingMm[2] * DENSITY_G_PER_ML) / 1e6);
  return { ldm: stats(ldm.data, s.interior, lobuleGy / 8), fft: stats(fft.data, s.interior, 4), zeroTerminals: zero / terms, cv: Math.sqrt(sum2 / terms - mean * mean) / mean, regionMeanGy: regionSum / regionVoxels };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  console.log(`Walrand et al. J Nucl Med 2014;55:135 — lobule doses of glass at ${TARGET_GY} Gy (node ${process.version})`);
  console.log(`glass spheres × ${SPHERE_BQ} Bq, K ${K_GY_KG_PER_GBQ} Gy·kg/GBq, no size exclusion / feedback / lung shunt; lobules ≥ ${ERODE_MM} mm inside the surface`);
  console.log("");
  console.log("| tree | trapping | terminals with 0 spheres | CV of spheres per terminal | region mean Gy (all lobules) | lobule dose | mean Gy | peak Gy | FWHM Gy | 1st percentile Gy | lobules < 40 Gy | lobules ≥ 100 Gy |");
  console.log("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
  const notes: string[] = [];
  for (const make of [grownSetup, symmetricSetup]) {
    const s = make();
    const spheres = Math.round((TARGET_GY * s.massKg) / (K_GY_KG_PER_GBQ * SPHERE_BQ * 1e-9));
    notes.push(`${s.label}: ${s.description}; ${spheres.toLocaleString("en")} spheres; ${stats(new Float32Array(s.interior.length), s.interior, 1).lobules.toLocaleString("en")} lobules counted`);
    const rows: Array<[string, Row]> = [];
    // One sphere in every portal tract (deterministic, Walrand's ideal case), scaled to the same 120 Gy.
    const onePerTerminal = new Uint32Array(s.tree.segmentCount);
    let nTerm = 0;
    for (let j = 0; j < s.tree.segmentCount; j++) if (s.tree.child0[j] < 0) { onePerTerminal[j] = 1; nTerm++; }
    rows.push([`one sphere per portal tract (${((SPHERE_BQ * spheres) / nTerm).toFixed(0)} Bq each)`, await lobuleDoses(s, onePerTerminal, (SPHERE_BQ * spheres) / nTerm, SEED, { heterogeneity: { model: "flow" }, bias: 0.5 })]);
    // 2500 Bq per sphere at calibration; 1000 Bq is glass used ~3.5 days (85 h) after calibration,
    // i.e. 2.5 times as many spheres for the same dose.
    for (const [bias, sphereBq] of [[0.5, SPHERE_BQ], [0.6, SPHERE_BQ], [0.5, 1000], [0.6, 1000]]) {
      const count = Math.round((spheres * SPHERE_BQ) / sphereBq);
      // 50/50 = plain flow splitting (named: the library default is now "fractal", defaults.ts).
      const model: Model = { bias, heterogeneity: { model: bias === 0.5 ? "flow" : "walrand-bias" } };
      const r = simulateTransport(s.tree, { spheres: count, ...model, diameterUm: null, embolic: { enabled: false } }, SEED);
      rows.push([`random, ${Math.round(bias * 100)}/${Math.round((1 - bias) * 100)} splitting, ${sphereBq} Bq`, await lobuleDoses(s, r.segmentLodged, sphereBq, SEED, model)]);
    }
    const f = (x: number, d = 1) => x.toFixed(d);
    for (const [label, r] of rows) {
      for (const [kind, st] of [["with cross-fire", r.fft], ["local deposition", r.ldm]] as const) {
        const peak = kind === "local deposition" ? "–" : f(st.mode);
        const fwhm = kind === "local deposition" ? "–" : f(st.fwhm);
        console.log(`| ${s.label} | ${label} | ${f(100 * r.zeroTerminals)} % | ${f(r.cv, 2)} | ${f(r.regionMeanGy)} | ${kind} | ${f(st.mean)} | ${peak} | ${fwhm} | ${f(st.p1)} | ${f(100 * st.below40)} % | ${f(100 * st.atLeast100)} % |`);
      }
    }
  }
  console.log("");
  for (const note of notes) console.log(note);
  console.log(`\nWalrand 2014: one sphere per portal tract ≥ 100 Gy everywhere; 50/50: peak ~103 Gy, FWHM ~20 Gy; 60/40: peak ~50 Gy, ~17 % of lobules < 40 Gy. Total ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}

// Run as a script only (bench/validation.ts imports the pieces above).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();

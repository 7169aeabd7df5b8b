/**
 * Resin spheres in normal liver at the microscale, against Högberg et al., EJNMMI Phys 2015
 * (reference README, "Validation anchors": resected normal liver after resin treatment, 3,888
 * spheres in 240 sections of 30 µm; clusters from single spheres to 453; dose 5–1,240 Gy; 90 % of
 * the tissue within 10–97 Gy, 45 % < 30 Gy).
 *
 * A 193 mL normal-liver region with sirtsim's grown tree at portal-tract resolution (1 terminal per
 * mg), SIR-Spheres (68.2 Bq, 32 ± 10 µm in [20, 60] µm, size exclusion on, flow-following, no
 * feedback) for a 40 Gy mean dose (the resin normal-liver planning target; Högberg's mean dose is
 * not in the anchor). Clusters: the transport's cluster histogram (spheres of one vessel, merged
 * with parent and sibling when their lodging points are within 0.1 mm). Dose: the microdosimetry
 * engine (Y-90 voxel S-values on 0.1 mm voxels) over a 4 mm cube at the region's centre, with the
 * spheres placed two ways:
 *  - as `sirtsim simulate` places them (src/pipeline/core.ts spherePlacement: uniform in the
 *    terminal's territory clipped to its tissue, or for "fractal" the sub-terminal cascade over
 *    1 mg cells; a wedged sphere within the vessel radius of the inlet), and
 *  - clustered: every sphere of a vessel at its lodging point (terminal: distal point; wedged:
 *    inlet), the other extreme.
 *
 * Heterogeneity models: flow-following, 60/40 splitting (walrand-bias, s = 0.6, Walrand 2014) and
 * the default fractal model (RD(1 g) 0.125, D 1.2; calibrated on Weiss 2012, not on this anchor).
 *
 * Run: npx tsx bench/validation-hogberg.ts   (~40 s)
 */
import { productDiameterUm } from "../src/transport/population.js";
import { buildDomain } from "../src/geometry/index.js";
import type { Vec3 } from "../src/geometry/index.js";
import { parseGeometrySection, parseTreeSection } from "../src/vascular/config.js";
import { growTree } from "../src/vascular/index.js";
import { simulateTransport } from "../src/transport/index.js";
import { forEachPlacedSphereChunk, spherePlacement } from "../src/pipeline/core.js";
import { microdosimetryDose } from "../src/dose/index.js";
import { PRODUCTS } from "../src/physics/index.js";

const DENSITY_G_PER_ML = 1.03;
const TARGET_GY = 40;
const K_GY_KG_PER_GBQ = 49.67; // resin convention (Gulec 2006)
const SEED = 2015;
const REGION_MM = 4;
const VOXEL_MM = 0.1;
const REACH_MM = REGION_MM / 2 + 11.2; // spheres farther than this from the centre cannot reach the cube

const t0 = Date.now();
const resin = PRODUCTS["sir-spheres"];
const semiAxes: Vec3 = [40, 36, 32];
const volumeMl = ((4 / 3) * Math.PI * semiAxes[0] * semiAxes[1] * semiAxes[2]) / 1000;
const massKg = (volumeMl * DENSITY_G_PER_ML) / 1000;
const terminals = Math.round(massKg * 1e6);
const domain = buildDomain(parseGeometrySection({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: semiAxes }] } }));
const tree = growTree(domain, parseTreeSection({ terminals, seed: 7, rootFlowMlPerMin: (400 * volumeMl) / 1590 }), 7);
const spheres = Math.round((TARGET_GY * massKg) / (K_GY_KG_PER_GBQ * resin.activityPerSphereBq * 1e-9));
const diameterUm = productDiameterUm(resin);
const region = { cornerMm: [-REGION_MM / 2, -REGION_MM / 2, -REGION_MM / 2] as Vec3, sizeMm: [REGION_MM, REGION_MM, REGION_MM] as Vec3, voxelMm: VOXEL_MM };
const clusterRows: string[] = [];
const doseRows: string[] = [];
let wedgedText = "";
const MODELS = [
  { label: "flow", bias: 0.5, heterogeneity: { model: "flow" as const } },
  { label: "walrand-bias 0.6", bias: 0.6, heterogeneity: { model: "walrand-bias" as const } },
  { label: "fractal (default)", bias: 0.5, heterogeneity: { model: "fractal" as const } },
];
for (const { label: bias, bias: s, heterogeneity } of MODELS) {
  const result = simulateTransport(tree, { spheres, bias: s, heterogeneity, diameterUm, embolic: { enabled: false }, clusterDistanceMm: 0.1 }, SEED);
  let wedged = 0;
  let maxPerVessel = 0;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) wedged += result.segmentLodged[j];
    maxPerVessel = Math.max(maxPerVessel, result.segmentLodged[j]);
  }
  if (bias === "flow") wedgedText = `${(100 * wedged / spheres).toFixed(1)} % wedged at non-terminal inlets (size exclusion)`;
  const histogram = result.clusters.histogram;
  const clusterCount = histogram.reduce((a, [, c]) => a + c, 0);
  const singles = histogram.find(([size]) => size === 1)?.[1] ?? 0;
  const largest = histogram.length > 0 ? histogram[histogram.length - 1][0] : 0;
  const inClustersOver10 = histogram.filter(([size]) => size > 10).reduce((a, [size, c]) => a + size * c, 0);
  clusterRows.push(`| sirtsim, ${bias} | ${clusterCount.toLocaleString("en")} | ${(100 * singles / clusterCount).toFixed(1)} % of clusters | ${largest} | ${(100 * inClustersOver10 / spheres).toFixed(1)} % | ${maxPerVessel} |`);

  // Sphere positions near the cube, both ways.
  const spread: number[] = [];
  const clustered: number[] = [];
  forEachPlacedSphereChunk(tree, result.segmentLodged, SEED, spherePlacement(tree, domain, { heterogeneity, bias: s }, diameterUm), (chunk) => {
    const p = chunk.positionsMm;
    for (let s = 0; s < chunk.count; s++) {
      const j = chunk.segment[s];
      const at = tree.child0[j] < 0 ? tree.distalMm : tree.proximalMm;
      if (Math.max(Math.abs(at[3 * j]), Math.abs(at[3 * j + 1]), Math.abs(at[3 * j + 2])) <= REACH_MM + 2) clustered.push(at[3 * j], at[3 * j + 1], at[3 * j + 2]);
      if (Math.max(Math.abs(p[3 * s]), Math.abs(p[3 * s + 1]), Math.abs(p[3 * s + 2])) <= REACH_MM) spread.push(p[3 * s], p[3 * s + 1], p[3 * s + 2]);
    }
  });
  for (const [label, positions] of [[`${bias}, spread over the territory (sirtsim simulate's placement)`, spread], [`${bias}, clustered at the lodging point`, clustered]] as const) {
    const { dose } = await microdosimetryDose(Float64Array.from(positions), resin.activityPerSphereBq, region, { nuclide: "Y-90", densityGPerMl: DENSITY_G_PER_ML });
    const sorted = Float64Array.from(dose.data).sort();
    const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    const below30 = sorted.filter((x) => x < 30).length / sorted.length;
    doseRows.push(`| ${label} | ${mean.toFixed(1)} | ${q(0).toFixed(1)}–${q(1).toFixed(0)} | ${q(0.05).toFixed(1)}–${q(0.95).toFixed(1)} | ${(100 * below30).toFixed(1)} % |`);
  }
}

console.log(`Högberg et al. EJNMMI Phys 2015 — resin in normal liver at the microscale (node ${process.version})`);
console.log(`region ${volumeMl.toFixed(0)} mL, ${terminals.toLocaleString("en")} terminals (1 per mg), ${spheres.toLocaleString("en")} resin spheres for ${TARGET_GY} Gy (K ${K_GY_KG_PER_GBQ}); ${wedgedText}`);
console.log("");
console.log("| clusters (≤ 0.1 mm apart) | count | single spheres | largest cluster | spheres in clusters > 10 | most spheres in one vessel |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of clusterRows) console.log(r);
console.log(`| Högberg 2015 | 3,888 spheres in 240 sections | present | 453 | – | – |`);
console.log("");
console.log(`| dose on ${VOXEL_MM * 1000} µm voxels, ${REGION_MM} mm cube | mean Gy | min–max Gy | 5th–95th percentile Gy | tissue < 30 Gy |`);
console.log("|---|---:|---:|---:|---:|");
for (const r of doseRows) console.log(r);
console.log("| Högberg 2015 | – | 5–1,240 | 90 % within 10–97 | 45 % |");
console.log(`\nTotal ${((Date.now() - t0) / 1000).toFixed(1)} s.`);

/**
 * Tumour D70 versus sphere density at the microscale, in the spirit of Pasciak et al.,
 * J Nucl Med 2016;57:1020 (reference README, "Validation anchors": tumour D70 falls as the sphere
 * density falls below ~20,000 spheres/mL, clinically relevant below ~5,000/mL; glass at 100 Gy is
 * ~800 spheres/mL, resin ~40,000/mL).
 *
 * Spheres are placed uniformly at random (no clustering: the most favourable case) at a given
 * density in tissue of 1.03 g/mL, each with the activity that makes the mean dose 100 Gy; the dose
 * is computed with the microdosimetry engine (src/dose/microdosimetry.ts: Y-90 voxel S-values on a
 * 0.1 mm grid, spheres within the kernel range outside the region included) over a 4 mm cube. The
 * independent check: the mean dose must be the infinite-medium value K·A·n/ρ = 100 Gy (energy
 * conservation) within the Poisson noise of the sphere count within range.
 *
 * Run: npx tsx bench/validation-pasciak.ts   (~30–40 s)
 */
import { microdosimetryDose, radialKernel } from "../src/dose/index.js";
import { createStream } from "../src/random/stream.js";
import { NUCLIDES } from "../src/physics/index.js";

const DENSITY_G_PER_ML = 1.03;
const TARGET_GY = 100;
const REGION_MM = 4;
const VOXEL_MM = 0.1;
const DENSITIES_PER_ML = [500, 800, 2000, 5000, 10_000, 20_000, 40_000, 100_000];

// Energy per decay absorbed, J: the kernel is normalised to the nuclide's mean energy (dose.md).
const y90 = NUCLIDES["Y-90"];
const kernel = radialKernel("Y-90", { densityGPerMl: DENSITY_G_PER_ML });
const decaysPerBq = (y90.halfLifeH * 3600) / Math.LN2;
const joulePerBq = decaysPerBq * kernel.totalMeV * 1.602176634e-13;

// Spheres fill the region plus the kernel range on every side.
const margin = kernel.maxRadiusMm + 0.2;
const box = REGION_MM + 2 * margin;
const boxMl = box ** 3 / 1000;
const corner = -margin;

console.log(`D70 vs sphere density (Pasciak et al. J Nucl Med 2016;57:1020), Y-90, uniform random spheres, mean ${TARGET_GY} Gy, ${REGION_MM} mm cube at ${VOXEL_MM * 1000} µm voxels (node ${process.version})`);
console.log("");
console.log("| spheres per mL | activity per sphere Bq | spheres placed | mean Gy (expected 100) | D70 Gy | D90 Gy | D70 / mean | CV of voxel dose | s |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const [index, perMl] of DENSITIES_PER_ML.entries()) {
  const t0 = Date.now();
  // Mean dose D = n·A·E/ρ  ⇒  A = D·ρ/(n·E) per sphere (ρ in kg/mL).
  const sphereBq = (TARGET_GY * DENSITY_G_PER_ML * 1e-3) / (perMl * joulePerBq);
  const stream = createStream(2016, BigInt(index));
  // Poisson count in the box: the normal approximation is far inside its validity (mean ≥ 8,000).
  const expected = perMl * boxMl;
  const u1 = stream.nextFloat() || Number.MIN_VALUE;
  const count = Math.max(0, Math.round(expected + Math.sqrt(expected) * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * stream.nextFloat())));
  const positions = new Float64Array(3 * count);
  for (let i = 0; i < positions.length; i++) positions[i] = corner + box * stream.nextFloat();
  const { dose } = await microdosimetryDose(positions, sphereBq, { cornerMm: [0, 0, 0], sizeMm: [REGION_MM, REGION_MM, REGION_MM], voxelMm: VOXEL_MM }, { nuclide: "Y-90", densityGPerMl: DENSITY_G_PER_ML });
  const sorted = Float64Array.from(dose.data).sort();
  let sum = 0;
  let sum2 = 0;
  for (const d of sorted) {
    sum += d;
    sum2 += d * d;
  }
  const mean = sum / sorted.length;
  const cv = Math.sqrt(sum2 / sorted.length - mean * mean) / mean;
  // D_x: the dose at least x % of the volume receives.
  const dAt = (x: number) => sorted[Math.floor(((100 - x) / 100) * sorted.length)];
  console.log(`| ${perMl.toLocaleString("en")} | ${sphereBq.toFixed(0)} | ${count.toLocaleString("en")} | ${mean.toFixed(1)} | ${dAt(70).toFixed(1)} | ${dAt(90).toFixed(1)} | ${(dAt(70) / mean).toFixed(3)} | ${cv.toFixed(3)} | ${((Date.now() - t0) / 1000).toFixed(1)} |`);
}

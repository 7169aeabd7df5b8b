/**
 * Microdosimetry: the same engine on a fine grid (50–200 µm voxels) over a region, to resolve the
 * dose heterogeneity around sphere clusters and portal tracts. Spheres within the kernel's range
 * outside the region still irradiate it, so the activity grid covers the region plus a margin of
 * the kernel radius, and the dose is cropped back to the region.
 */
import { checkRange, InputError } from "../errors.js";
import { axisAlignedGeometry, type Grid, type Vec3 } from "../geometry/grid.js";
import { activityGridFromSpheres, type SphereDepositStats } from "./activity.js";
import { doseFromActivity, type DoseOptions } from "./convolve.js";
import { fftLayout } from "./fft3d.js";
import { radialKernel } from "./kernel.js";
import { voxelSValues, type VoxelSValueOptions, type VoxelSValues } from "./svalues.js";
import type { NuclideId } from "../physics/index.js";

/** Memory cap of one microdosimetry calculation, bytes (the machines have 24 GiB shared by several jobs). */
const MAX_BYTES = 4 * 2 ** 30;

export interface MicrodosimetryRegion {
  /** World position of the region's lower corner, mm (axis-aligned, RAS). */
  cornerMm: Vec3;
  /** Region size, mm. */
  sizeMm: Vec3;
  /** Voxel size, mm, in [0.05, 0.2] (50–200 µm). */
  voxelMm: number;
}

export interface MicrodosimetryResult {
  /** Dose over the region, Gy (voxel centres at corner + (i + ½)·voxel). */
  readonly dose: Grid<Float32Array>;
  readonly kernel: VoxelSValues;
  readonly deposit: SphereDepositStats;
}

/** Dose (Gy) around lodged spheres on a fine grid over `region`. */
export async function microdosimetryDose(
  positionsMm: Float64Array,
  activitiesBq: Float64Array | number,
  region: MicrodosimetryRegion,
  options: { nuclide: NuclideId; elapsedH?: number } & VoxelSValueOptions & DoseOptions,
): Promise<MicrodosimetryResult> {
  const voxel = checkRange("region.voxelMm", region.voxelMm, 0.05, 0.2);
  const dims = region.sizeMm.map((s, a) => {
    checkRange(`region.sizeMm[${a}]`, s, voxel, 100);
    return Math.round(s / voxel);
  }) as Vec3;
  if (dims[0] * dims[1] * dims[2] > 512 ** 3) throw new InputError("region.sizeMm", "region.sizeMm / voxelMm must give at most 512³ voxels");
  // Size check first (cheap): the kernel's half-width is floor(range / voxel) + 1 (svalues.ts).
  const margin = Math.floor(radialKernel(options.nuclide, options).maxRadiusMm / voxel) + 1;
  const bigDims: Vec3 = [dims[0] + 2 * margin, dims[1] + 2 * margin, dims[2] + 2 * margin];
  // Memory: activity (8 B) + dose (4 B) per voxel of the enlarged grid + the half-spectrum.
  const layout = fftLayout(bigDims, [margin, margin, margin]);
  const bytes = 12 * bigDims[0] * bigDims[1] * bigDims[2] + 4 * layout.spectrumFloats;
  if (bytes > MAX_BYTES) {
    throw new InputError(
      "region.sizeMm",
      `region.sizeMm / voxelMm needs ${(bytes / 2 ** 30).toFixed(1)} GiB (the grid is widened by the ${(margin * voxel).toFixed(1)} mm kernel radius on each side); at most ${MAX_BYTES / 2 ** 30} GiB: use a smaller region or larger voxels`,
    );
  }
  const kernel = voxelSValues(options.nuclide, voxel, options);
  const origin = region.cornerMm.map((c) => c + (0.5 - margin) * voxel) as Vec3;
  const big = axisAlignedGeometry(bigDims, [voxel, voxel, voxel], origin);
  const activity: Grid<Float64Array> = { ...big, data: new Float64Array(bigDims[0] * bigDims[1] * bigDims[2]) };
  const deposit = activityGridFromSpheres(activity, positionsMm, activitiesBq, { nuclide: options.nuclide, elapsedH: options.elapsedH });
  const bigDose: Grid<Float32Array> = { ...big, data: new Float32Array(activity.data.length) };
  await doseFromActivity(bigDose, activity, kernel, options);
  const geometry = axisAlignedGeometry(dims, [voxel, voxel, voxel], region.cornerMm.map((c) => c + 0.5 * voxel) as Vec3);
  const dose: Grid<Float32Array> = { ...geometry, data: new Float32Array(dims[0] * dims[1] * dims[2]) };
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      const src = margin + bigDims[0] * (j + margin + bigDims[1] * (k + margin));
      dose.data.set(bigDose.data.subarray(src, src + dims[0]), dims[0] * (j + dims[1] * k));
    }
  }
  return { dose, kernel, deposit };
}

/**
 * `sirtsim kernel --nuclide Y-90 --voxel-mm 4.42 [--density-g-per-ml 1.04] [--size 6] [--raw-kernel] [--json]`:
 * voxel S-values (MIRD 17 convention, mGy/(MBq·s)) from a source voxel to the voxels offset by
 * (i, j, k) ≥ 0, for any voxel size 0.05–10 mm (one value for cubic voxels, or "sx,sy,sz").
 * With --json: `{ nuclide, voxelMm, unit, octant }` plus the energy balance and provenance, where
 * octant[i][j][k] is the S-value at offset (i, j, k). Invalid options exit 2 naming the option.
 */
import type { Command } from "commander";
import { InputError } from "../../errors.js";
import { sValueAt, voxelSValues, type VoxelSValues } from "../../dose/svalues.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML, NUCLIDES, type NuclideId } from "../../physics/index.js";
import type { Vec3 } from "../../geometry/grid.js";
import { action } from "../run.js";
import { parseIntegerOption, printJson, printText } from "../output.js";
import { parseMillimetreOption, parseQuantityOption } from "../../io/quantity.js";

interface KernelOptions {
  nuclide: string;
  voxelMm?: string;
  densityGPerMl?: string;
  size: string;
  rawKernel?: boolean;
  json?: boolean;
}

export function registerKernel(program: Command): void {
  program
    .command("kernel")
    .description("print voxel S-values (mGy/(MBq*s)) of Y-90 or Ho-166 for a voxel size")
    .option("--nuclide <id>", "Y-90 or Ho-166", "Y-90")
    .option("--voxel-mm <mm>", "voxel size in mm, 0.05–10 (one value, or sx,sy,sz)")
    .option("--density-g-per-ml <rho>", `tissue density, g/mL, 0.01–20 (default ${DEFAULT_TISSUE_DENSITY_G_PER_ML})`)
    .option("--size <n>", "offsets 0..n-1 along each axis to print, 1–64", "6")
    .option("--raw-kernel", "do not normalise the dose point kernel to the nuclide's mean energy")
    .option("--json", "print one JSON document on stdout")
    .action(
      action((options: KernelOptions) => {
        runKernel(options);
      }),
    );
}

/** Parse a decimal number option strictly, naming the option and range in the error. */
export function parseNumberOption(name: string, value: string, min: number, max: number, unit = ""): number {
  const n = Number(value);
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value) || !Number.isFinite(n) || n < min || n > max) {
    // A lower bound of Number.MIN_VALUE means "positive": written (0, max], not [5e-324, max].
    const range = min === Number.MIN_VALUE ? `(0, ${max}]` : `[${min}, ${max}]`;
    throw new InputError(name, `${name} must be a number in ${range}${unit ? ` ${unit}` : ""}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function runKernel(options: KernelOptions): VoxelSValues {
  if (!Object.hasOwn(NUCLIDES, options.nuclide)) {
    throw new InputError("--nuclide", `--nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${JSON.stringify(options.nuclide)}`);
  }
  if (options.voxelMm === undefined) throw new InputError("--voxel-mm", "--voxel-mm is required (a number in [0.05, 10] mm)");
  const parts = options.voxelMm.split(",");
  if (parts.length !== 1 && parts.length !== 3) throw new InputError("--voxel-mm", `--voxel-mm must be one number or three (sx,sy,sz) in [0.05, 10] mm, got ${JSON.stringify(options.voxelMm)}`);
  const sizes = parts.map((p) => parseMillimetreOption("--voxel-mm", p, 0.05, 10));
  const spacing: Vec3 = sizes.length === 1 ? [sizes[0], sizes[0], sizes[0]] : [sizes[0], sizes[1], sizes[2]];
  const density =
    options.densityGPerMl === undefined ? DEFAULT_TISSUE_DENSITY_G_PER_ML : parseQuantityOption("--density-g-per-ml", options.densityGPerMl, "density", 0.01, 20);
  const size = parseIntegerOption("--size", options.size, 1, 64);
  const s = voxelSValues(options.nuclide as NuclideId, spacing, { densityGPerMl: density, normaliseToMeanEnergy: !options.rawKernel });
  const octant: number[][][] = [];
  for (let i = 0; i < size; i++) {
    const plane: number[][] = [];
    for (let j = 0; j < size; j++) {
      const row: number[] = [];
      for (let k = 0; k < size; k++) row.push(sValueAt(s, i, j, k));
      plane.push(row);
    }
    octant.push(plane);
  }
  if (options.json) {
    printJson({
      nuclide: s.nuclide,
      voxelMm: sizes.length === 1 ? sizes[0] : spacing,
      unit: s.unit,
      octant,
      densityGPerMl: s.densityGPerMl,
      spacingMm: s.spacingMm,
      halfWidth: s.halfWidth,
      kernelTotalMeV: s.kernel.totalMeV,
      absorbedMeV: s.absorbedMeV,
      conservationResidual: s.conservationResidual,
      dpkResidualVsMeanEnergy: s.residualVsMeanEnergy,
      provenance: s.provenance,
    });
  } else {
    printText(formatKernel(s, octant), false);
  }
  return s;
}

/** A readable table: one block per k, rows j, columns i. */
export function formatKernel(s: VoxelSValues, octant: number[][][]): string {
  const size = octant.length;
  const lines = [
    `${s.nuclide} voxel S-values, voxel ${s.spacingMm.join(" x ")} mm, density ${s.densityGPerMl} g/mL, unit ${s.unit}`,
    `energy absorbed in the kernel ${s.absorbedMeV.toFixed(5)} MeV/decay (balance residual ${s.conservationResidual.toExponential(1)}); DPK vs mean energy ${(100 * s.residualVsMeanEnergy).toFixed(2)} %`,
  ];
  for (let k = 0; k < size; k++) {
    lines.push("", `k = ${k}`, ["j\\i", ...Array.from({ length: size }, (_, i) => String(i))].map((c) => c.padStart(10)).join(""));
    for (let j = 0; j < size; j++) {
      lines.push([String(j), ...Array.from({ length: size }, (_, i) => octant[i][j][k].toExponential(3))].map((c) => c.padStart(10)).join(""));
    }
  }
  return lines.join("\n");
}

/**
 * The case file's `dose` section: a zod 4 schema in which every option has a default and a
 * one-line doc (`.describe`), so the configuration documents itself (and feeds the JSON Schema).
 * `parseDoseConfig` turns untrusted input into a `DoseConfig` or throws an InputError naming the
 * field (`dose.voxelMm must be in [0.05, 10], got 20`).
 */
import { z } from "zod";
import { sectionInputError } from "../sectionError.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../physics/units.js";
import { BED_DEFAULTS } from "./metrics.js";

const lq = (preset: "normal-liver" | "tumour") =>
  z
    .object({
      alphaBetaGy: z.number().gt(0).lte(1000).default(BED_DEFAULTS[preset].alphaBetaGy).describe("α/β ratio, Gy."),
      repairHalfTimeH: z.number().gt(0).lte(1000).default(BED_DEFAULTS[preset].repairHalfTimeH).describe("Repair half-time, h."),
    })
    .strict()
    .default({ alphaBetaGy: BED_DEFAULTS[preset].alphaBetaGy, repairHalfTimeH: BED_DEFAULTS[preset].repairHalfTimeH });

export const doseConfigSchema = z
  .object({
    method: z.enum(["fft", "ldm"]).default("fft").describe("fft: voxel S-value convolution; ldm: local deposition (D = K·A/M per voxel)."),
    voxelMm: z.number().min(0.05).max(10).default(2).describe("Dose grid voxel size, mm (cubic), 0.05–10."),
    marginMm: z.number().min(0).max(50).default(12).describe("How far the dose grid extends beyond the activity, mm (≥ 11 keeps all Y-90 energy)."),
    densityGPerMl: z.number().min(0.01).max(20).default(DEFAULT_TISSUE_DENSITY_G_PER_ML).describe("Tissue density for the kernel and masses, g/mL."),
    normaliseKernelToMeanEnergy: z.boolean().default(true).describe("Scale the dose point kernel to the nuclide's mean energy in src/physics (Y-90: +0.73 %)."),
    integrationHours: z.number().gt(0).nullable().default(null).describe("Integrate decays to this many hours after the reference time; null = complete decay."),
    dvhBinWidthGy: z.number().gt(0).max(100).default(1).describe("Dose spacing of the exported DVH curve, Gy (metrics use voxel-exact doses)."),
    dPercents: z.array(z.number().gt(0).max(100)).default([2, 50, 70, 90, 95, 98]).describe("D_x levels to report, % of the VOI volume."),
    vThresholdsGy: z.array(z.number().min(0)).default([20, 30, 40, 50, 70, 100, 120, 150, 205]).describe("V_D thresholds to report, Gy."),
    eudA: z.number().nullable().default(null).describe("gEUD volume-effect parameter a (Niemierko 1999); null = not reported."),
    bedTumour: lq("tumour").describe("LQ parameters of tumour BED (Dale 1985); defaults α/β 10 Gy, T_rep 1.5 h."),
    bedNormalLiver: lq("normal-liver").describe("LQ parameters of normal-liver BED; defaults α/β 2.5 Gy, T_rep 2.5 h."),
    microdosimetry: z
      .object({
        voxelMm: z.number().min(0.05).max(0.2).default(0.1).describe("Fine voxel size, mm (50–200 µm)."),
        sizeMm: z.number().gt(0).max(50).default(5).describe("Edge of the cubic region, mm."),
      })
      .strict()
      .nullable()
      .default(null)
      .describe("Fine-grid dose around the densest sphere cluster; null = off."),
  })
  .strict();

export type DoseConfig = z.infer<typeof doseConfigSchema>;

/** Validate the `dose` section (undefined → all defaults). */
export function parseDoseConfig(input: unknown): DoseConfig {
  const result = doseConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw sectionInputError("dose", result.error);
}

/**
 * The case file's `dose` section: a zod 4 schema in which every option has a default and a
 * one-line doc (`.describe`), so the configuration documents itself (and feeds the JSON Schema).
 * `parseDoseConfig` turns untrusted input into a `DoseConfig` or throws an InputError naming the
 * field (`dose.voxelMm must be in [0.05, 10], got 20`).
 */
import { z } from "zod";
import { sectionInputError } from "../sectionError.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../physics/units.js";
import { NTCP_DEFAULTS, TCP_DEFAULTS } from "./outcome.js";
import { RADIOBIOLOGY_DEFAULTS, type TissueType } from "./radiobiology.js";

/** LQ parameters of one tissue type; defaults and their sources in radiobiology.ts. */
const lq = (tissue: TissueType) => {
  const d = RADIOBIOLOGY_DEFAULTS[tissue];
  return z
    .object({
      alphaBetaGy: z.number().gt(0).lte(1000).default(d.alphaBetaGy).describe(`α/β ratio, Gy (default ${d.alphaBetaGy}).`),
      repairHalfTimeH: z.number().gt(0).lte(1000).default(d.repairHalfTimeH).describe(`Repair half-time of sublethal damage, h (default ${d.repairHalfTimeH}).`),
      alphaPerGy: z.number().gt(0).lte(10).default(d.alphaPerGy).describe(`Radiosensitivity α for the EUD, 1/Gy (default ${d.alphaPerGy}).`),
    })
    .strict()
    .default({ alphaBetaGy: d.alphaBetaGy, repairHalfTimeH: d.repairHalfTimeH, alphaPerGy: d.alphaPerGy });
};

// Outcome models (outcome.ts): TCP of tumours, NTCP of the normal liver; null = not computed.
const tcpSchema = z
  .object({
    eud50Gy: z.number().gt(0).lte(1e4).default(TCP_DEFAULTS.eud50Gy).describe(`EUD with TCP 0.5, Gy (default ${TCP_DEFAULTS.eud50Gy}, HCC: d'Abadie et al. EJNMMI Res 2022).`),
    gamma50: z.number().gt(0).lte(100).default(TCP_DEFAULTS.gamma50).describe(`Normalised slope γ50 (default ${TCP_DEFAULTS.gamma50.toFixed(4)}: TCP 0.95 at 100 Gy, same source).`),
  })
  .strict()
  .nullable()
  .default({ eud50Gy: TCP_DEFAULTS.eud50Gy, gamma50: TCP_DEFAULTS.gamma50 })
  .describe("TCP, logistic in the tumour EUD; null = not computed. Population model of HCC (no NET fit published that we found).");
const ntcpSchema = z
  .object({
    td50BedGy: z.number().gt(0).lte(1e4).default(NTCP_DEFAULTS.td50BedGy).describe(`Uniform BED with NTCP 0.5, Gy (default ${NTCP_DEFAULTS.td50BedGy}: resin, HCC, Strigari et al. J Nucl Med 2010; glass: 250).`),
    m: z.number().gt(0).lte(10).default(NTCP_DEFAULTS.m).describe(`LKB slope m (default ${NTCP_DEFAULTS.m}).`),
    n: z.number().gt(0).lte(10).default(NTCP_DEFAULTS.n).describe(`LKB volume effect n (gEUD of the voxel BEDs with a = 1/n; default ${NTCP_DEFAULTS.n} = mean BED).`),
  })
  .strict()
  .nullable()
  .default({ td50BedGy: NTCP_DEFAULTS.td50BedGy, m: NTCP_DEFAULTS.m, n: NTCP_DEFAULTS.n })
  .describe("NTCP of the normal liver, Lyman–Kutcher–Burman on the voxel BEDs; null = not computed.");

const lqDefaults = (tissue: TissueType) => {
  const d = RADIOBIOLOGY_DEFAULTS[tissue];
  return { alphaBetaGy: d.alphaBetaGy, repairHalfTimeH: d.repairHalfTimeH, alphaPerGy: d.alphaPerGy };
};

const radiobiologySchema = z
  .object({
    tumour: lq("tumour")
      .unwrap()
      .extend({ tcp: tcpSchema })
      .default(() => ({ ...lqDefaults("tumour"), tcp: { eud50Gy: TCP_DEFAULTS.eud50Gy, gamma50: TCP_DEFAULTS.gamma50 } }))
      .describe("Tumour VOIs (each geometry tumour)."),
    normalLiver: lq("normalLiver")
      .unwrap()
      .extend({ ntcp: ntcpSchema })
      .default(() => ({ ...lqDefaults("normalLiver"), ntcp: { td50BedGy: NTCP_DEFAULTS.td50BedGy, m: NTCP_DEFAULTS.m, n: NTCP_DEFAULTS.n } }))
      .describe("Normal liver, and the whole-liver / perfused VOIs (the organ at risk)."),
    lung: lq("lung").describe("Lung (uniform lung dose of the lung-shunted spheres)."),
  })
  .strict()
  .default(() => ({
    tumour: { ...lqDefaults("tumour"), tcp: { eud50Gy: TCP_DEFAULTS.eud50Gy, gamma50: TCP_DEFAULTS.gamma50 } },
    normalLiver: { ...lqDefaults("normalLiver"), ntcp: { td50BedGy: NTCP_DEFAULTS.td50BedGy, m: NTCP_DEFAULTS.m, n: NTCP_DEFAULTS.n } },
    lung: lqDefaults("lung"),
  }));

export const doseConfigSchema = z
  .object({
    // Every accepted field has an effect: a simulation always reports the FFT dose as its dose and
    // the LDM beside it (meanDoseLdmGy, dose-ldm.nii.gz), so "ldm" is refused rather than ignored.
    method: z
      .enum(["fft"], { error: () => 'only "fft" (a simulation reports the FFT dose and, beside it, local deposition: meanDoseLdmGy, dose-ldm.nii.gz)' })
      .default("fft")
      .describe("fft: voxel S-value convolution (the LDM is always reported beside it)."),
    voxelMm: z.number().min(0.05).max(10).default(2).describe("Dose grid voxel size, mm (cubic), 0.05–10."),
    marginMm: z.number().min(0).max(50).default(12).describe("How far the dose grid extends beyond the activity, mm (≥ 11 keeps all Y-90 energy)."),
    densityGPerMl: z.number().min(0.01).max(20).default(DEFAULT_TISSUE_DENSITY_G_PER_ML).describe("Tissue density for the kernel and masses, g/mL."),
    normaliseKernelToMeanEnergy: z.boolean().default(true).describe("Scale the dose point kernel to the nuclide's mean energy in src/physics (Y-90: +0.73 %)."),
    integrationHours: z.number().gt(0).nullable().default(null).describe("Integrate decays to this many hours after the reference time; null = complete decay."),
    dvhBinWidthGy: z.number().gt(0).max(100).default(1).describe("Dose spacing of the exported DVH curve, Gy (metrics use voxel-exact doses)."),
    dPercents: z.array(z.number().gt(0).max(100)).default([2, 50, 70, 90, 95, 98]).describe("D_x levels to report, % of the VOI volume."),
    vThresholdsGy: z.array(z.number().min(0)).default([20, 30, 40, 50, 70, 100, 120, 150, 205]).describe("V_D thresholds to report, Gy."),
    eudA: z
      .number()
      .refine((a) => a !== 0, "must be non-zero")
      .nullable()
      .default(null)
      .describe("gEUD volume-effect parameter a (Niemierko 1999), reported as gEudGy per compartment; null = not reported."),
    radiobiology: radiobiologySchema.describe(
      "LQ parameters per tissue type for BED (Dale 1985, permanent implant with repair) and EUD (Niemierko 1997, from voxel BEDs), reported per compartment.",
    ),
    // Reserved: the fine-grid dose around the densest cluster is not wired into simulate yet (the
    // library's microdosimetryDose is); refused rather than silently ignored.
    microdosimetry: z
      .null({ error: () => "is not available in simulate yet (use the library's microdosimetryDose); only null is accepted" })
      .default(null)
      .describe("Reserved (not yet used by simulate): only null."),
  })
  .strict();

export type DoseConfig = z.infer<typeof doseConfigSchema>;

/** Validate the `dose` section (undefined → all defaults). */
export function parseDoseConfig(input: unknown): DoseConfig {
  const result = doseConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw sectionInputError("dose", result.error);
}

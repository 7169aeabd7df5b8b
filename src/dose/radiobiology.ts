/**
 * Radiobiology of a permanent implant, per voxel: biologically effective dose (BED) with repair
 * during the decaying dose rate, and the equivalent uniform dose (EUD) of a VOI, with
 * linear-quadratic parameters per tissue type (tumour, normal liver, lung).
 *
 * BED (Dale, Br J Radiol 1985;58:515; the Lea–Catcheside dose-protraction factor G):
 *     BED = D · [1 + G · D / (α/β)],
 *     G   = (2 / D²) ∫₀ᵀ R(t) ∫₀ᵗ R(t′) e^{−μ(t−t′)} dt′ dt,   R(t) = R₀ e^{−λt},  μ = ln 2 / T_rep.
 * For complete decay (T → ∞) G = λ / (μ + λ), the permanent-implant formula
 *     BED = D · [1 + λ D / ((μ + λ) · α/β)];
 * for integration to T hours (the dose section's `integrationHours`) the closed form of the double
 * integral is used (gFactor below). Y-90, T_rep 1.5 h: G = 0.0229.
 *
 * EUD (Niemierko, Med Phys 1997;24:103, the cell-survival "EUD"): the uniform dose with the same
 * mean clonogen survival as the voxel doses. Survival after a permanent implant in the LQ model is
 * SF = exp(−α · BED), so
 *     EUBED = −ln( (1/N) Σᵢ exp(−α · BEDᵢ) ) / α      (equivalent uniform BED),
 *     EUD   = the dose D whose BED(D) = EUBED:  D = (√(1 + 4 g · EUBED) − 1) / (2 g),  g = G/(α/β).
 * EUD of a uniform dose is that dose; EUD ≤ mean dose (Jensen). The sum is taken in log-sum-exp
 * form so that it stays finite for α · BED ≫ 700. This is not the gEUD of Niemierko 1999
 * ((Σ vᵢ Dᵢ^a)^{1/a}, metrics.ts `generalisedEudGy`, reported when the case sets `dose.eudA`).
 *
 * Defaults (RADIOBIOLOGY_DEFAULTS) with their sources; every value can be set from the case
 * (`dose.radiobiology.<tissue>`) or from `sirtsim dose --lq <tissue>.<field>=<value>`.
 */
import { checkRange, InputError } from "../errors.js";
import { decayConstantPerH, nuclideData, type NuclideId } from "../physics/index.js";
import { checkNtcpParameters, checkTcpParameters, generalisedEudOfBedGy, lkbNtcpOfEud, logisticTcp, NTCP_DEFAULTS, TCP_DEFAULTS, type NtcpParameters, type TcpParameters } from "./outcome.js";

/** Tissue types with their own LQ parameters. */
export type TissueType = "tumour" | "normalLiver" | "lung";
export const TISSUE_TYPES: readonly TissueType[] = Object.freeze(["tumour", "normalLiver", "lung"]);

/** Linear-quadratic parameters of a tissue. */
export interface LqParameters {
  /** α/β ratio, Gy. */
  readonly alphaBetaGy: number;
  /** Repair half-time of sublethal damage, h. */
  readonly repairHalfTimeH: number;
  /** Radiosensitivity α for the EUD, 1/Gy. */
  readonly alphaPerGy: number;
}

/**
 * LQ parameters with the tissue's outcome model (outcome.ts): TCP for tumours, NTCP for the
 * normal liver; null or absent = not computed.
 */
export interface RadiobiologyParameters extends LqParameters {
  readonly tcp?: TcpParameters | null;
  readonly ntcp?: NtcpParameters | null;
}

export interface LqDefaults extends RadiobiologyParameters {
  readonly source: string;
}

/**
 * Defaults. α/β and T_rep of tumour (10 Gy, 1.5 h) and normal liver (2.5 Gy, 2.5 h): as used for
 * Y-90 microspheres by Cremonesi et al., Eur J Nucl Med Mol Imaging 2008;35:2088 (values checked
 * in its abstract; its published BEDs are reproduced in test/dose/radiobiology.test.ts), Strigari
 * et al., J Nucl Med 2010;51:1377, and reviewed by Cremonesi et al., Front Oncol 2014;4:210
 * (Dale 1985's formalism). Lung: α/β 3 Gy, the late-reacting value used for
 * radiation pneumonitis (e.g. Bentzen, Skoczylas & Bernier, Int J Radiat Oncol Biol Phys
 * 2000;46:1155 review), T_rep 1.5 h (within the 1.5–2.5 h used for SIRT). α = 0.005 /Gy for all
 * three is a PLACEHOLDER: no published SIRT value of α was verified for this engine (the range
 * 0.001–0.005 /Gy quoted before was not traced to a paper either). Dewaraja et al., J Nucl Med
 * 2020;61:104 (abstract) report that radiosensitivities fitted to Y-90 PET dose and lesion
 * response are "substantially lower" than in vitro or external-beam values, so a small α is
 * expected; their fitted numbers were not read here. The EUD depends on α strongly (the BED does
 * not use it): set it per case. docs/dose.md#radiobiology lists what is verified and what is not.
 */
export const RADIOBIOLOGY_DEFAULTS: Readonly<Record<TissueType, LqDefaults>> = Object.freeze({
  tumour: Object.freeze({
    alphaBetaGy: 10,
    repairHalfTimeH: 1.5,
    alphaPerGy: 0.005,
    tcp: Object.freeze({ eud50Gy: TCP_DEFAULTS.eud50Gy, gamma50: TCP_DEFAULTS.gamma50 }),
    source: "alpha/beta, T_rep: Cremonesi et al. Eur J Nucl Med Mol Imaging 2008;35:2088; Strigari et al. J Nucl Med 2010;51:1377; Cremonesi et al. Front Oncol 2014;4:210. alpha: not verified (placeholder)",
  }),
  normalLiver: Object.freeze({
    alphaBetaGy: 2.5,
    repairHalfTimeH: 2.5,
    alphaPerGy: 0.005,
    ntcp: Object.freeze({ td50BedGy: NTCP_DEFAULTS.td50BedGy, m: NTCP_DEFAULTS.m, n: NTCP_DEFAULTS.n }),
    source: "alpha/beta, T_rep: Cremonesi et al. Eur J Nucl Med Mol Imaging 2008;35:2088; Strigari et al. J Nucl Med 2010;51:1377; Cremonesi et al. Front Oncol 2014;4:210. alpha: not verified (placeholder)",
  }),
  lung: Object.freeze({
    alphaBetaGy: 3,
    repairHalfTimeH: 1.5,
    alphaPerGy: 0.005,
    source: "alpha/beta 3 Gy: late-reacting lung (radiation pneumonitis), not a SIRT fit; T_rep 1.5 h; alpha: not verified (placeholder)",
  }),
});

/** Check LQ parameters at the boundary (kernels below assume them valid). */
export function checkLqParameters<P extends RadiobiologyParameters>(field: string, p: P): P {
  checkRange(`${field}.alphaBetaGy`, p.alphaBetaGy, 0, 1000, { minOpen: true });
  checkRange(`${field}.repairHalfTimeH`, p.repairHalfTimeH, 0, 1000, { minOpen: true });
  checkRange(`${field}.alphaPerGy`, p.alphaPerGy, 0, 10, { minOpen: true });
  if (p.tcp) checkTcpParameters(`${field}.tcp`, p.tcp);
  if (p.ntcp) checkNtcpParameters(`${field}.ntcp`, p.ntcp);
  return p;
}

/**
 * Lea–Catcheside factor G of an exponentially decaying dose rate (decay λ, repair μ, per hour)
 * delivered from 0 to `untilH` (Infinity: complete decay, G = λ/(μ+λ)).
 */
export function gFactor(lambdaPerH: number, muPerH: number, untilH = Infinity): number {
  if (untilH === Infinity) return lambdaPerH / (muPerH + lambdaPerH);
  const l = lambdaPerH;
  const m = muPerH;
  const T = untilH;
  // D/R₀ = (1 − e^{−λT})/λ; the double integral / R₀² = [(1 − e^{−2λT})/(2λ) − (1 − e^{−(λ+μ)T})/(λ+μ)]/(μ − λ),
  // whose limit at μ = λ is (1 − e^{−2λT}(1 + 2λT))/(4λ²).
  const doseOverR0 = -Math.expm1(-l * T) / l;
  const integral =
    Math.abs(m - l) < 1e-9 * l ? (1 - Math.exp(-2 * l * T) * (1 + 2 * l * T)) / (4 * l * l) : (-Math.expm1(-2 * l * T) / (2 * l) + Math.expm1(-(l + m) * T) / (l + m)) / (m - l);
  return (2 * integral) / (doseOverR0 * doseOverR0);
}

/** g = G/(α/β), 1/Gy: BED = D + g·D² for a nuclide, LQ parameters and integration time. */
export function bedQuadraticPerGy(nuclide: NuclideId, params: Pick<LqParameters, "alphaBetaGy" | "repairHalfTimeH">, untilH = Infinity): number {
  const lambdaPerH = decayConstantPerH(nuclideData(nuclide));
  return gFactor(lambdaPerH, Math.LN2 / params.repairHalfTimeH, untilH) / params.alphaBetaGy;
}

/** Dale's BED (Gy) of a dose D (Gy) delivered to complete decay by `nuclide`. */
export function bedPermanentImplantGy(doseGy: number, nuclide: NuclideId, params: Pick<LqParameters, "alphaBetaGy" | "repairHalfTimeH">): number {
  return doseGy * (1 + bedQuadraticPerGy(nuclide, params) * doseGy);
}

/** The dose (Gy) whose BED is `bedGy`, for BED = D + g·D² (g ≥ 0). */
export function doseForBedGy(bedGy: number, gPerGy: number): number {
  if (gPerGy * bedGy < 1e-12) return bedGy;
  // (√(1 + 4gB) − 1)/(2g), written as 2B/(√(1 + 4gB) + 1) to avoid cancellation at small gB.
  return (2 * bedGy) / (Math.sqrt(1 + 4 * gPerGy * bedGy) + 1);
}

export interface VoiRadiobiology {
  readonly tissue: TissueType;
  readonly alphaBetaGy: number;
  readonly repairHalfTimeH: number;
  readonly alphaPerGy: number;
  /** Mean of the voxel BEDs, Gy. */
  readonly meanBedGy: number;
  /** Equivalent uniform BED, Gy. */
  readonly eubedGy: number;
  /** Equivalent uniform dose (Niemierko 1997 with the permanent-implant BED), Gy. */
  readonly eudGy: number;
  /** Tumour control probability (outcome.ts, logistic in eudGy); null when the tissue has no TCP model. */
  readonly tcp: number | null;
  /** Normal-tissue complication probability (outcome.ts, LKB on the voxel BEDs); null when the tissue has no NTCP model. */
  readonly ntcp: number | null;
  /** The outcome parameters used (absent: not computed). */
  readonly tcpParameters?: TcpParameters;
  readonly ntcpParameters?: NtcpParameters;
}

export interface RadiobiologyOptions {
  readonly nuclide: NuclideId;
  readonly tissue: TissueType;
  readonly params: RadiobiologyParameters;
  /** Dose integrated to this many hours (Infinity: complete decay). */
  readonly untilH?: number;
}

/** BED and EUD of a VOI from its voxel doses (Gy, equal voxel volumes, any order). */
export function voiRadiobiology(doseGy: ArrayLike<number>, options: RadiobiologyOptions): VoiRadiobiology {
  const n = doseGy.length;
  if (n === 0) throw new InputError("voi", "the volume of interest has no voxels");
  const { alphaBetaGy, repairHalfTimeH, alphaPerGy } = options.params;
  const g = bedQuadraticPerGy(options.nuclide, options.params, options.untilH ?? Infinity);
  let bedSum = 0;
  let minBed = Infinity;
  for (let i = 0; i < n; i++) {
    const d = doseGy[i];
    const bed = d + g * d * d;
    bedSum += bed;
    if (bed < minBed) minBed = bed;
  }
  // log-sum-exp around the least-irradiated voxel (largest survival term).
  let survivalSum = 0;
  for (let i = 0; i < n; i++) {
    const d = doseGy[i];
    survivalSum += Math.exp(-alphaPerGy * (d + g * d * d - minBed));
  }
  const eubedGy = minBed - Math.log(survivalSum / n) / alphaPerGy;
  const eudGy = doseForBedGy(eubedGy, g);
  const meanBedGy = bedSum / n;
  const { tcp, ntcp } = options.params;
  let ntcpValue: number | null = null;
  if (ntcp) {
    let geudBedGy = meanBedGy;
    if (ntcp.n !== 1) {
      const bed = new Float64Array(n);
      for (let i = 0; i < n; i++) bed[i] = doseGy[i] + g * doseGy[i] * doseGy[i];
      geudBedGy = generalisedEudOfBedGy(bed, ntcp.n);
    }
    ntcpValue = lkbNtcpOfEud(geudBedGy, ntcp);
  }
  return {
    tissue: options.tissue,
    alphaBetaGy,
    repairHalfTimeH,
    alphaPerGy,
    meanBedGy,
    eubedGy,
    eudGy,
    tcp: tcp ? logisticTcp(eudGy, tcp) : null,
    ntcp: ntcpValue,
    ...(tcp ? { tcpParameters: { eud50Gy: tcp.eud50Gy, gamma50: tcp.gamma50 } } : {}),
    ...(ntcp ? { ntcpParameters: { td50BedGy: ntcp.td50BedGy, m: ntcp.m, n: ntcp.n } } : {}),
  };
}

/**
 * VOI names that mean a tumour: tumour/tumor, lesion, GTV, HCC, metastasis, "met"/"mets" as a word
 * ("Liver_mets", "Met_2"). The one pattern of every command (io/voiRole.ts uses it too).
 */
export const TUMOUR_VOI_NAME = /tum|lesion|gtv|hcc|metast|(?:^|[^a-z])mets?(?:[^a-z]|$)/i;

/**
 * The tissue type a VOI name implies, for label files with names (`sirtsim dose`): containing
 * "lung" → lung; else containing tum/lesion/GTV/HCC/metast/mets → tumour; anything else
 * (normal liver, liver, perfused, Couinaud segments "S1".."S8") → normal liver. Segment names are
 * NOT tumours: in a label file "S8" is a liver segment. (`simulate` does not guess: its tumours
 * are the geometry's.) `--tissue NAME=TYPE` overrides.
 */
export function tissueOfVoiName(name: string): TissueType {
  // The same tests, in the same order, as io/voiRole.ts voiRole (lung, then TUMOUR_VOI_NAME), so
  // that every command types a VOI alike.
  const n = name.trim().toLowerCase();
  if (/lung/.test(n)) return "lung";
  if (TUMOUR_VOI_NAME.test(n)) return "tumour";
  return "normalLiver";
}

/** Parse a tissue type (CLI / case), InputError naming `field` otherwise. */
export function parseTissueType(field: string, value: string): TissueType {
  if ((TISSUE_TYPES as readonly string[]).includes(value)) return value as TissueType;
  throw new InputError(field, `${field} must be one of ${TISSUE_TYPES.join(", ")}, got ${JSON.stringify(value)}`);
}

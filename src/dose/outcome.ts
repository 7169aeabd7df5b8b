/**
 * Outcome models of a VOI from its voxel doses: tumour control probability (TCP) of a tumour and
 * normal-tissue complication probability (NTCP) of the normal liver, with published SIRT
 * parameters as defaults. These are POPULATION dose–response curves fitted to small cohorts with
 * wide confidence intervals; they say how a dose compares with the doses that controlled tumours
 * or harmed livers in those cohorts, not what will happen to one patient. docs/dose.md#outcome
 * gives the sources, what was verified, and what was not.
 *
 * TCP — logistic (Niemierko log-logistic) in the tumour's cell-survival EUD (radiobiology.ts):
 *     TCP = 1 / (1 + (EUD50 / EUD)^{4 γ50}).
 * Default EUD50 = 51 Gy and γ50 = 1.093: d'Abadie et al., EJNMMI Res 2022 (doi
 * 10.1186/s13550-022-00911-0, "TCP post-radioembolization and TCP post-EBRT in HCC are similar
 * and can be predicted using the in vitro radiosensitivity"), abstract: "TCP values equal to 0.5
 * and 0.95 for a EUD of 51 Gy and 100 Gy" — 34 HCC lesions, resin and glass, response by dual-tracer
 * PET. γ50 is not printed there: it is the slope that puts the curve through both points,
 * 4γ50 = ln 19 / ln(100/51) (gamma50FromPoints). Their EUD came from Y-90 TOF-PET voxel doses
 * with their radiosensitivity; ours is the case's tumour α (a placeholder by default, see
 * radiobiology.ts), so TCP inherits that uncertainty. HCC only: no TCP fit for neuroendocrine
 * (NET) or colorectal metastases was found, so the HCC curve is the default for every tumour —
 * set `dose.radiobiology.tumour.tcp` for another population.
 *
 * NTCP — Lyman–Kutcher–Burman (Lyman 1985; Kutcher & Burman, IJROBP 1989;16:1623) on the voxel
 * BEDs (Dale's permanent-implant BED, radiobiology.ts):
 *     NTCP = Φ((gEUD_BED − TD50) / (m · TD50)),   gEUD_BED = (mean BEDᵢ^{1/n})^{n}   (n = 1: mean BED).
 * Default TD50 = 93 Gy BED (the BED50 of resin radioembolization of HCC, Strigari et al., J Nucl
 * Med 2010;51:1377, as quoted in the abstract of Walrand et al., J Nucl Med 2014;55:1317, which
 * gives 250 Gy for glass and 115 Gy for external beam), n = 1 (mean BED, the liver's parallel
 * organisation) and m = 0.28: n and m are Strigari 2010's fit as recalled here, NOT re-read from
 * the paper in this session (their TD50 of 52 Gy mean absorbed dose is consistent: its BED with
 * the normal-liver defaults is 92.6 Gy). For glass microspheres set td50BedGy 250 (Chiesa et al.
 * via Walrand 2014); m for glass was not found. The end point is Strigari's (liver toxicity of
 * grade ≥ 2 in HCC patients with cirrhosis); for non-cirrhotic NET livers no SIRT fit was found.
 */
import { checkRange } from "../errors.js";

/** TCP: logistic in the tumour EUD (Gy). */
export interface TcpParameters {
  /** EUD with TCP 0.5, Gy. */
  readonly eud50Gy: number;
  /** Normalised slope at EUD50 (dTCP/dlnEUD at 50 %). */
  readonly gamma50: number;
}

/** NTCP: LKB on the voxel BEDs. */
export interface NtcpParameters {
  /** Uniform BED with NTCP 0.5, Gy. */
  readonly td50BedGy: number;
  /** Slope: sd of the probit in units of TD50. */
  readonly m: number;
  /** Volume effect: gEUD exponent a = 1/n (n = 1: mean BED). */
  readonly n: number;
}

/** 4γ50 · ln(D/D50) = ln(p/(1−p)): the γ50 that puts a logistic through (D50, 0.5) and (D, p). */
export function gamma50FromPoints(d50Gy: number, doseGy: number, probability: number): number {
  return Math.log(probability / (1 - probability)) / (4 * Math.log(doseGy / d50Gy));
}

export const TCP_DEFAULTS: TcpParameters & { readonly source: string } = Object.freeze({
  eud50Gy: 51,
  // 1.0932…: through TCP 0.95 at 100 Gy (d'Abadie et al. 2022, abstract).
  gamma50: gamma50FromPoints(51, 100, 0.95),
  source:
    "HCC, logistic in EUD through TCP 0.5 at 51 Gy and 0.95 at 100 Gy: d'Abadie et al. EJNMMI Res 2022, doi 10.1186/s13550-022-00911-0 (abstract). No NET fit found.",
});

export const NTCP_DEFAULTS: NtcpParameters & { readonly source: string } = Object.freeze({
  td50BedGy: 93,
  m: 0.28,
  n: 1,
  source:
    "HCC, resin, liver toxicity: BED50 93 Gy, Strigari et al. J Nucl Med 2010;51:1377 as quoted by Walrand et al. J Nucl Med 2014;55:1317 (abstract; glass 250 Gy); n = 1, m = 0.28 from Strigari 2010, not re-read here. No NET fit found.",
});

export function checkTcpParameters(field: string, p: TcpParameters): TcpParameters {
  checkRange(`${field}.eud50Gy`, p.eud50Gy, 0, 1e4, { minOpen: true });
  checkRange(`${field}.gamma50`, p.gamma50, 0, 100, { minOpen: true });
  return p;
}

export function checkNtcpParameters(field: string, p: NtcpParameters): NtcpParameters {
  checkRange(`${field}.td50BedGy`, p.td50BedGy, 0, 1e4, { minOpen: true });
  checkRange(`${field}.m`, p.m, 0, 10, { minOpen: true });
  checkRange(`${field}.n`, p.n, 0, 10, { minOpen: true });
  return p;
}

/** Logistic dose–response 1 / (1 + (D50/D)^{4γ50}); 0 at D ≤ 0. */
export function logisticResponse(doseGy: number, d50Gy: number, gamma50: number): number {
  if (doseGy <= 0) return 0;
  return 1 / (1 + Math.pow(d50Gy / doseGy, 4 * gamma50));
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** TCP of a tumour whose cell-survival EUD is `eudGy`. */
export function logisticTcp(eudGy: number, p: TcpParameters): number {
  return logisticResponse(eudGy, p.eud50Gy, p.gamma50);
}

/** gEUD (a = 1/n) of voxel BEDs, equal voxel volumes; n = 1 is the mean. */
export function generalisedEudOfBedGy(bedGy: ArrayLike<number>, n: number): number {
  const a = 1 / n;
  let sum = 0;
  for (let i = 0; i < bedGy.length; i++) sum += a === 1 ? bedGy[i] : Math.pow(Math.max(0, bedGy[i]), a);
  const mean = sum / bedGy.length;
  return a === 1 ? mean : Math.pow(mean, n);
}

/** LKB NTCP from the gEUD of the voxel BEDs. */
export function lkbNtcpOfEud(geudBedGy: number, p: NtcpParameters): number {
  return normalCdf((geudBedGy - p.td50BedGy) / (p.m * p.td50BedGy));
}

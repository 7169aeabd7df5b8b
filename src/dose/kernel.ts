/**
 * Radial dose point kernels (DPK): the mean energy a point source deposits within radius r per
 * decay, E(r) (MeV), for Y-90 and Ho-166, in water-like tissue of any density.
 *
 * Representation. The Graves et al. (2019) Y-90 kernel gives the energy in 0.1 mm shells. Its
 * running sum is the cumulative energy E(rᵢ) at the shell boundaries; between boundaries E is a
 * monotone cubic Hermite interpolant (Fritsch & Carlson, SIAM J Numer Anal 1980;17:238, with the
 * Fritsch–Butland harmonic-mean slopes). Then E'(r) = dE/dr ≥ 0 is continuous, the energy in any
 * radial interval is exact at shell boundaries, and the point dose is e(r) = E'(r) / (4π r²).
 *
 * Density. A medium of density ρ with the composition of water stretches every path by 1/ρ
 * (the scaling behind D_ρ(r) = ρ² D_w(ρ r), e.g. MIRD Pamphlet 17, Bolch et al. JNM 1999;40:11S):
 * E_ρ(r) = E_w(ρ r).
 *
 * Ho-166. No tabulated Ho-166 DPK was available to the project. It is DERIVED from the Y-90
 * kernel by range scaling (Berger's observation that beta DPKs scaled by the range are nearly
 * nuclide-independent, NBS 1971 / MIRD Pamphlet 7): E_Ho(r) = c · E_Y(r · R_Y / R_Ho), with the
 * maximum ranges R_Y = 11.0 mm and R_Ho = 8.7 mm of src/physics/nuclides.ts, and c chosen so that
 * the total equals the Ho-166 mean locally absorbed energy (0.7117 MeV). See docs/dose.md.
 */
import { checkRange, InputError } from "../errors.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML, JOULE_PER_MEV, NUCLIDES, type Nuclide, type NuclideId } from "../physics/index.js";
import { Y90_DPK_SHELL_ENERGY_MEV, Y90_DPK_SHELL_MM } from "./y90Dpk.js";

export interface RadialKernel {
  readonly nuclide: NuclideId;
  /** Tissue density the kernel is scaled to, g/mL. */
  readonly densityGPerMl: number;
  /** Radius of node i is i · nodeSpacingMm (after density and range scaling), mm. */
  readonly nodeSpacingMm: number;
  /** Cumulative energy per decay E(rᵢ) at the nodes, MeV; node 0 is r = 0. */
  readonly cumulativeMeV: Float64Array;
  /** Hermite slopes dE/dr at the nodes, MeV/mm. */
  readonly slopeMeVPerMm: Float64Array;
  /** Outer radius of the kernel, mm: beyond it E'(r) = 0. */
  readonly maxRadiusMm: number;
  /** E(maxRadius), MeV per decay (after normalisation). */
  readonly totalMeV: number;
  /** Total of the tabulated kernel before normalisation (scaled to this nuclide), MeV. */
  readonly rawTotalMeV: number;
  /** Factor applied to the tabulated energies (1 when not normalised). */
  readonly normalisation: number;
  /** (rawTotal − meanEnergy) / meanEnergy: the kernel's residual against src/physics. */
  readonly residualVsMeanEnergy: number;
  readonly provenance: readonly string[];
}

export interface RadialKernelOptions {
  /** Tissue density, g/mL (water 1.0, liver ≈ 1.03–1.06, lung ≈ 0.3). Default 1.03. */
  densityGPerMl?: number;
  /**
   * Scale the kernel so that its total equals the run's mean energy per decay
   * (0.9367 MeV for Y-90: the tabulated total 0.9299 MeV is 0.73 % lower). Default true, so that
   * the convolution and local deposition deposit the same energy as the planning coefficient K.
   */
  normaliseToMeanEnergy?: boolean;
  /**
   * The run's mean energy per decay, MeV: the energy implied by the K the run uses
   * (`DoseCoefficient.meanEnergyMeV`). Default the nuclide's `meanEnergyMeV` (src/physics).
   */
  meanEnergyMeV?: number;
}


/** Sum of the tabulated Graves et al. Y-90 shells, MeV per decay (0.929907). */
export const Y90_DPK_TOTAL_MEV = Y90_DPK_SHELL_ENERGY_MEV.reduce((a, b) => a + b, 0);

/**
 * The radial kernel of a nuclide at a density. Throws InputError for an unknown nuclide or a
 * density outside [0.01, 20] g/mL.
 */
export function radialKernel(nuclideId: NuclideId, options: RadialKernelOptions = {}): RadialKernel {
  const nuclide: Nuclide | undefined = NUCLIDES[nuclideId];
  if (!nuclide) throw new InputError("nuclide", `nuclide must be one of ${Object.keys(NUCLIDES).join(", ")}, got ${String(nuclideId)}`);
  const densityGPerMl = checkRange("densityGPerMl", options.densityGPerMl ?? DEFAULT_TISSUE_DENSITY_G_PER_ML, 0.01, 20);
  const normalise = options.normaliseToMeanEnergy ?? true;
  const meanEnergyMeV = options.meanEnergyMeV === undefined ? nuclide.meanEnergyMeV : checkRange("meanEnergyMeV", options.meanEnergyMeV, 0, 10, { minOpen: true });

  // Radius stretch: node radius = tabulated radius / (ρ · rangeRatio).
  const rangeRatio = nuclideId === "Y-90" ? 1 : NUCLIDES["Y-90"].maxRangeMm / nuclide.maxRangeMm;
  const nodeSpacingMm = Y90_DPK_SHELL_MM / (densityGPerMl * rangeRatio);
  // Energy scale of the tabulated shells for this nuclide before normalisation: Ho-166 has no
  // table of its own, so its kernel is always scaled to its mean energy.
  const rawScale = nuclideId === "Y-90" ? 1 : meanEnergyMeV / Y90_DPK_TOTAL_MEV;
  const rawTotalMeV = Y90_DPK_TOTAL_MEV * rawScale;
  const normalisation = rawScale * (normalise ? meanEnergyMeV / rawTotalMeV : 1);

  const shells = Y90_DPK_SHELL_ENERGY_MEV;
  const n = shells.length;
  const cumulativeMeV = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cumulativeMeV[i + 1] = cumulativeMeV[i] + shells[i] * normalisation;
  const slopeMeVPerMm = monotoneSlopes(cumulativeMeV, nodeSpacingMm);

  const provenance = [
    "Y-90 DPK: Graves SA, Flynn RT, Hyer DE. Med Phys 2019;46(11):5284-5293 (0.1 mm shells to 12 mm, total 0.929907 MeV)",
    `density scaling E_rho(r) = E_w(rho r), rho = ${densityGPerMl} g/mL (D_rho(r) = rho^2 D_w(rho r))`,
  ];
  if (nuclideId !== "Y-90") {
    provenance.push(
      `Ho-166 kernel derived: Y-90 kernel with radii scaled by maxRange ratio ${nuclide.maxRangeMm}/${NUCLIDES["Y-90"].maxRangeMm} mm, energy scaled to ${meanEnergyMeV} MeV`,
    );
  } else if (normalise) {
    provenance.push(`normalised to mean energy ${meanEnergyMeV} MeV per decay (factor ${normalisation.toFixed(6)})`);
  }
  return Object.freeze({
    nuclide: nuclideId,
    densityGPerMl,
    nodeSpacingMm,
    cumulativeMeV,
    slopeMeVPerMm,
    maxRadiusMm: n * nodeSpacingMm,
    totalMeV: cumulativeMeV[n],
    rawTotalMeV,
    normalisation,
    residualVsMeanEnergy: (rawTotalMeV - meanEnergyMeV) / meanEnergyMeV,
    provenance: Object.freeze(provenance),
  });
}

/** Fritsch–Butland slopes: monotone, zero where the data is flat, one-sided at the ends. */
function monotoneSlopes(y: Float64Array, h: number): Float64Array {
  const n = y.length;
  const m = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) {
    const d0 = (y[i] - y[i - 1]) / h;
    const d1 = (y[i + 1] - y[i]) / h;
    m[i] = d0 > 0 && d1 > 0 ? (2 * d0 * d1) / (d0 + d1) : 0;
  }
  // Ends: the first shell's mean slope (E'(0) is finite: dE/dr ≈ 0.2 MeV/mm near a Y-90 point);
  // zero past the last node.
  m[0] = (y[1] - y[0]) / h;
  m[n - 1] = 0;
  return m;
}

/** E(r): energy per decay deposited within radius r, MeV. */
export function cumulativeEnergyMeV(kernel: RadialKernel, radiusMm: number): number {
  const h = kernel.nodeSpacingMm;
  const y = kernel.cumulativeMeV;
  if (radiusMm <= 0) return 0;
  const last = y.length - 1;
  const x = radiusMm / h;
  if (x >= last) return y[last];
  const i = Math.floor(x);
  const t = x - i;
  const m = kernel.slopeMeVPerMm;
  const t2 = t * t;
  const t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * y[i] + (t3 - 2 * t2 + t) * h * m[i] + (-2 * t3 + 3 * t2) * y[i + 1] + (t3 - t2) * h * m[i + 1];
}

/** E'(r) = dE/dr, MeV/mm (energy per decay per unit radius). */
export function energyPerRadiusMeVPerMm(kernel: RadialKernel, radiusMm: number): number {
  const h = kernel.nodeSpacingMm;
  const y = kernel.cumulativeMeV;
  const last = y.length - 1;
  if (radiusMm < 0) return 0;
  const x = radiusMm / h;
  if (x >= last) return 0;
  const i = Math.floor(x);
  const t = x - i;
  const m = kernel.slopeMeVPerMm;
  const t2 = t * t;
  return ((6 * t2 - 6 * t) * (y[i] - y[i + 1])) / h + (3 * t2 - 4 * t + 1) * m[i] + (3 * t2 - 2 * t) * m[i + 1];
}

/** mGy per (MeV/g): 1 MeV/g = 1.602e-13 J / 1e-3 kg = 1.602e-10 Gy. */
const MGY_PER_MEV_PER_G = JOULE_PER_MEV * 1e3 * 1e3;
/** Decays in 1 MBq·s. */
const DECAYS_PER_MBQ_S = 1e6;

/** Convert energy per decay absorbed in a mass (g) into an S-value, mGy/(MBq·s). */
export function mevPerDecayToSValue(energyMeV: number, massG: number): number {
  return (energyMeV * MGY_PER_MEV_PER_G * DECAYS_PER_MBQ_S) / massG;
}

/**
 * Absorbed dose per decay rate at distance r from a point source, mGy/(MBq·s):
 * D(r) = E'(r) / (4π r² ρ). Infinite at r = 0.
 */
export function pointKernelDoseMGyPerMBqS(kernel: RadialKernel, radiusMm: number): number {
  const energyDensityMeVPerMm3 = energyPerRadiusMeVPerMm(kernel, radiusMm) / (4 * Math.PI * radiusMm * radiusMm);
  // ρ g/mL = ρ·1e-3 g/mm³.
  return mevPerDecayToSValue(energyDensityMeVPerMm3, kernel.densityGPerMl * 1e-3);
}

/** Physical constants used across the engine, with their sources. */

/** Joules per MeV. CODATA 2018 exact value of the elementary charge × 1e6. */
export const JOULE_PER_MEV = 1.602176634e-13;

/** Seconds per hour. */
export const SECONDS_PER_HOUR = 3600;

/** Becquerel per gigabecquerel. */
export const BQ_PER_GBQ = 1e9;

/** Default soft-tissue (liver) density, g/mL. Issue 2 default; ICRU 46 gives 1.04–1.06 for liver,
 *  1.03 is the value used by the SIR-Spheres and TheraSphere planning conventions. */
export const DEFAULT_TISSUE_DENSITY_G_PER_ML = 1.03;

/** Conventional lung mass for the lung dose, kg (SIR-Spheres / TheraSphere labels, EANM 2022). */
export const DEFAULT_LUNG_MASS_KG = 1.0;

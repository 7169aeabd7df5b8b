/**
 * buildDomain: the domain from the plain (already validated) `geometry` configuration.
 * Coordinates are world millimetres in the RAS frame (+x patient right, +y anterior, +z superior).
 */
import { InputError } from "../errors.js";
import type { Grid, Vec3 } from "./grid.js";
import type { Domain, TumourInput } from "./domain.js";
import { analyticDomain, maskDomain } from "./domain.js";
import type { EllipsoidShape, Shape, Solid } from "./shapes.js";

export interface EllipsoidConfig {
  readonly name?: string;
  readonly centerMm: Vec3;
  readonly semiAxesMm: Vec3;
}

export interface TumourConfig {
  readonly name: string;
  readonly centerMm?: Vec3;
  /** Sphere radius, mm (or give semiAxesMm for an ellipsoid). */
  readonly radiusMm?: number;
  readonly semiAxesMm?: Vec3;
  /** Mask domains: the tumour's voxel value. */
  readonly maskLabel?: number;
  readonly necroticMaskLabel?: number;
  readonly tnRatio: number;
  readonly necroticCoreFraction?: number;
  readonly rim?: { readonly thicknessFraction: number; readonly tnRatio: number };
  /** Outflow pressure of the tumour's terminal arterioles, mmHg; absent = the tree's terminal pressure. */
  readonly terminalPressureMmHg?: number;
}

export interface GeometryConfig {
  /** The liver as a union of ellipsoids (ignored when a mask grid is given). */
  readonly liver: { readonly ellipsoids: readonly EllipsoidConfig[] };
  readonly tumours: readonly TumourConfig[];
  /** Set when the liver comes from a label image; the caller reads it and passes the grid. */
  readonly mask?: { readonly file: string } | undefined;
}

/**
 * Default liver: right and left lobes as two ellipsoids, ≈ 1.6 L in total (ICRP 89 reference
 * adult: 1.8 kg male, 1.4 kg female; at 1.06 g/mL ≈ 1.3–1.7 L), ≈ 60 % of it right of the
 * Cantlie plane x = 0 — the right hemiliver is 55–65 % of the total in CT volumetry of living
 * donors (e.g. Abdalla et al., Surgery 2004;135:404: right 65 %, left lateral 16 %, S4 ~ 14 %).
 * Measured (test/geometry): volume 1.59 L, 59 % of it at x > 0.
 */
export const DEFAULT_LIVER_ELLIPSOIDS: readonly EllipsoidConfig[] = [
  { name: "right lobe", centerMm: [32, 0, 0], semiAxesMm: [63, 70, 60] },
  { name: "left lobe", centerMm: [-36, 10, 10], semiAxesMm: [74, 56, 42] },
];

function ellipsoid(e: EllipsoidConfig): EllipsoidShape {
  return { kind: "ellipsoid", centerMm: [...e.centerMm], semiAxesMm: [...e.semiAxesMm] };
}

function tumourInput(t: TumourConfig, index: number, mask: boolean): TumourInput {
  let shape: Solid | undefined;
  if (!mask) {
    if (t.centerMm === undefined) throw new InputError(`geometry.tumours[${index}].centerMm`, `geometry.tumours[${index}].centerMm is required for an analytic tumour`);
    if (t.semiAxesMm !== undefined) shape = { kind: "ellipsoid", centerMm: [...t.centerMm], semiAxesMm: [...t.semiAxesMm] };
    else if (t.radiusMm !== undefined) shape = { kind: "sphere", centerMm: [...t.centerMm], radiusMm: t.radiusMm };
    else throw new InputError(`geometry.tumours[${index}].radiusMm`, `geometry.tumours[${index}] needs radiusMm or semiAxesMm`);
  }
  return {
    name: t.name,
    tnRatio: t.tnRatio,
    shape,
    maskLabel: t.maskLabel,
    necroticMaskLabel: t.necroticMaskLabel,
    necroticCoreFraction: t.necroticCoreFraction ?? 0,
    rimFraction: t.rim?.thicknessFraction ?? 0,
    rimTnRatio: t.rim?.tnRatio ?? t.tnRatio,
    ...(t.terminalPressureMmHg === undefined ? {} : { terminalPressureMmHg: t.terminalPressureMmHg }),
  };
}

/** The domain of a `geometry` section; pass `maskGrid` when the section names a mask. */
export function buildDomain(config: GeometryConfig, maskGrid?: Grid<Uint8Array>): Domain {
  if (config.mask !== undefined || maskGrid !== undefined) {
    if (maskGrid === undefined) throw new InputError("geometry.mask", "geometry.mask: the mask image must be read by the caller and passed to buildDomain");
    return maskDomain(maskGrid, config.tumours.map((t, i) => tumourInput(t, i, true)));
  }
  const parts = config.liver.ellipsoids.map(ellipsoid);
  if (parts.length === 0) throw new InputError("geometry.liver.ellipsoids", "geometry.liver.ellipsoids must have at least 1 entry");
  const shape: Shape = parts.length === 1 ? parts[0] : { kind: "union", parts };
  return analyticDomain(shape, config.tumours.map((t, i) => tumourInput(t, i, false)));
}

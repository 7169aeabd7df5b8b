/**
 * The perfused domain: a liver (an analytic shape or a label mask) with tumours inside it.
 *
 * Labels (what `labelAt` returns and `rasterizeDomain` writes):
 *   0 outside the liver, 1 normal liver, 2 + t viable tissue of tumour t (rim included),
 *   2 + T + t the necrotic core of tumour t (T = number of tumours).
 * Compartments (what the tree stores per terminal): 0 normal liver, 1 + t tumour t.
 * Relative perfusion (arterial flow per unit volume relative to normal liver): 1 in normal liver,
 * T/N in a tumour, the rim's T/N in its hypervascular rim, 0 in a necrotic core and outside.
 * A tumour only counts where it lies inside the liver (the hepatic artery feeds nothing else);
 * where tumours overlap, the first one in the list wins.
 */
import { InputError } from "../errors.js";
import type { Grid, Vec3 } from "./grid.js";
import { rasGrid, worldToVoxel } from "./grid.js";
import type { BoundsMm, Shape, Solid } from "./shapes.js";
import { normalizedRadius, normalizedRadiusSpread, shapeBounds, shapeContains } from "./shapes.js";

export interface TumourRegion {
  readonly name: string;
  /** Arterial flow per unit volume relative to normal liver (T/N), > 0. */
  readonly tnRatio: number;
  /** Analytic tumours: the solid. Mask tumours: null (see `maskLabel`). */
  readonly shape: Solid | null;
  /** Mask tumours: the voxel value of the tumour in the mask; −1 for analytic tumours. */
  readonly maskLabel: number;
  /** Mask tumours: voxel value of its necrotic core, −1 for none. */
  readonly necroticMaskLabel: number;
  /** Necrotic core (no flow): normalised radius below which tissue is necrotic, 0 = no core. */
  readonly necroticCoreFraction: number;
  /** Hypervascular rim: outer shell of normalised radius ≥ 1 − rimFraction; 0 = no rim. */
  readonly rimFraction: number;
  /** T/N of the rim (used when rimFraction > 0). */
  readonly rimTnRatio: number;
  /** Outflow pressure of the tumour's terminal arterioles, mmHg; absent = the tree's terminal pressure. */
  readonly terminalPressureMmHg?: number;
}

export interface AnalyticLiver {
  readonly kind: "analytic";
  readonly shape: Shape;
}

export interface MaskLiver {
  readonly kind: "mask";
  /** Voxel values: 0 outside, any value that is not a tumour label is liver. */
  readonly grid: Grid<Uint8Array>;
}

export interface Domain {
  readonly liver: AnalyticLiver | MaskLiver;
  readonly tumours: readonly TumourRegion[];
  /** Bounding box of the liver, mm. */
  readonly boundsMm: BoundsMm;
  /** mask value → label (for mask domains; empty otherwise). 256 entries. */
  readonly maskLabelMap: Uint8Array;
}

/** Compartment names: "normal" then the tumour names. */
export function compartmentNames(domain: Domain): string[] {
  return ["normal", ...domain.tumours.map((t) => t.name)];
}

/** Compartment of a label: 0 normal, 1 + t tumour t (core included), −1 outside. */
export function compartmentOfLabel(domain: Domain, label: number): number {
  if (label === 0) return -1;
  if (label === 1) return 0;
  const t = label - 2;
  const count = domain.tumours.length;
  return 1 + (t < count ? t : t - count);
}

const scratch: Vec3 = [0, 0, 0];

function maskValueAt(grid: Grid<Uint8Array>, x: number, y: number, z: number): number {
  worldToVoxel(scratch, grid, x, y, z);
  const i = Math.round(scratch[0]);
  const j = Math.round(scratch[1]);
  const k = Math.round(scratch[2]);
  const d = grid.dims;
  if (i < 0 || j < 0 || k < 0 || i >= d[0] || j >= d[1] || k >= d[2]) return 0;
  return grid.data[i + d[0] * (j + d[1] * k)];
}

/** Label at a world point (see the module comment). */
export function labelAt(domain: Domain, x: number, y: number, z: number): number {
  const liver = domain.liver;
  if (liver.kind === "mask") return domain.maskLabelMap[maskValueAt(liver.grid, x, y, z)];
  if (!shapeContains(liver.shape, x, y, z)) return 0;
  const tumours = domain.tumours;
  for (let t = 0; t < tumours.length; t++) {
    const rho = normalizedRadius(tumours[t].shape as Solid, x, y, z);
    if (rho <= 1) return rho < tumours[t].necroticCoreFraction ? 2 + tumours.length + t : 2 + t;
  }
  return 1;
}

/**
 * Margin on the normalised radius for `ballLabel`'s decisions: far above the rounding of
 * `normalizedRadius` (~1e-15) and of a point drawn in the ball (|p − c| ≤ r·(1 + 1e-15)), so a label
 * it returns is the label `labelAt` computes at every point of the ball, not only in exact arithmetic.
 */
const BALL_MARGIN = 1e-9;

/**
 * The label every point of the ball (centre, radius mm) has, when the shapes decide it without
 * looking at points: the ball lies inside or outside each solid as a whole (its normalised radius
 * varies by at most normalizedRadiusSpread over the ball). −1 when a boundary may cross the ball,
 * and always for mask livers. Used to skip per-point label queries (lodging positions) where they
 * cannot reject anything; it never claims a label some point of the ball does not have.
 */
export function ballLabel(domain: Domain, x: number, y: number, z: number, radiusMm: number): number {
  const liver = domain.liver;
  if (liver.kind === "mask") return -1;
  const shape = liver.shape;
  const parts = shape.kind === "union" ? shape.parts : [shape];
  let inside = false;
  let outside = true;
  for (let i = 0; i < parts.length; i++) {
    const rho = normalizedRadius(parts[i], x, y, z);
    const spread = normalizedRadiusSpread(parts[i], radiusMm);
    if (rho + spread <= 1 - BALL_MARGIN) inside = true;
    if (!(rho - spread > 1 + BALL_MARGIN)) outside = false;
  }
  if (outside) return 0;
  if (!inside) return -1;
  const tumours = domain.tumours;
  for (let t = 0; t < tumours.length; t++) {
    const solid = tumours[t].shape as Solid;
    const rho = normalizedRadius(solid, x, y, z);
    const spread = normalizedRadiusSpread(solid, radiusMm);
    if (rho - spread > 1 + BALL_MARGIN) continue; // wholly outside tumour t
    if (rho + spread > 1 - BALL_MARGIN) return -1; // its surface may cross the ball
    const core = tumours[t].necroticCoreFraction;
    if (rho - spread >= core + BALL_MARGIN) return 2 + t;
    if (rho + spread < core - BALL_MARGIN) return 2 + tumours.length + t;
    return -1;
  }
  return 1;
}

/** Relative arterial perfusion at a world point (see the module comment). */
export function perfusionAt(domain: Domain, x: number, y: number, z: number): number {
  const liver = domain.liver;
  const tumours = domain.tumours;
  if (liver.kind === "mask") {
    const label = domain.maskLabelMap[maskValueAt(liver.grid, x, y, z)];
    if (label <= 1) return label;
    const t = label - 2;
    return t < tumours.length ? tumours[t].tnRatio : 0;
  }
  if (!shapeContains(liver.shape, x, y, z)) return 0;
  for (let t = 0; t < tumours.length; t++) {
    const tumour = tumours[t];
    const rho = normalizedRadius(tumour.shape as Solid, x, y, z);
    if (rho <= 1) {
      if (rho < tumour.necroticCoreFraction) return 0;
      if (tumour.rimFraction > 0 && rho >= 1 - tumour.rimFraction) return tumour.rimTnRatio;
      return tumour.tnRatio;
    }
  }
  return 1;
}

/** Largest relative perfusion anywhere in the domain (for rejection sampling). */
export function maxPerfusion(domain: Domain): number {
  let m = 1;
  for (const t of domain.tumours) {
    m = Math.max(m, t.tnRatio);
    if (t.rimFraction > 0) m = Math.max(m, t.rimTnRatio);
  }
  return m;
}

export interface TumourInput {
  readonly name: string;
  readonly tnRatio: number;
  readonly shape?: Solid;
  readonly maskLabel?: number;
  readonly necroticMaskLabel?: number;
  readonly necroticCoreFraction?: number;
  readonly rimFraction?: number;
  readonly rimTnRatio?: number;
  readonly terminalPressureMmHg?: number;
}

function checkTumour(t: TumourInput, index: number, mask: boolean): TumourRegion {
  const field = `geometry.tumours[${index}]`;
  if (!(t.tnRatio > 0) || !Number.isFinite(t.tnRatio)) throw new InputError(`${field}.tnRatio`, `${field}.tnRatio must be in (0, Infinity), got ${t.tnRatio}`);
  const core = t.necroticCoreFraction ?? 0;
  const rim = t.rimFraction ?? 0;
  if (!(core >= 0 && core < 1)) throw new InputError(`${field}.necroticCoreFraction`, `${field}.necroticCoreFraction must be in [0, 1), got ${core}`);
  if (!(rim >= 0 && rim <= 1 - core)) throw new InputError(`${field}.rimFraction`, `${field}.rimFraction must be in [0, 1 − necroticCoreFraction], got ${rim}`);
  const rimTn = t.rimTnRatio ?? t.tnRatio;
  if (!(rimTn > 0) || !Number.isFinite(rimTn)) throw new InputError(`${field}.rimTnRatio`, `${field}.rimTnRatio must be in (0, Infinity), got ${rimTn}`);
  if (mask) {
    const label = t.maskLabel ?? -1;
    if (!Number.isInteger(label) || label < 1 || label > 255) throw new InputError(`${field}.maskLabel`, `${field}.maskLabel must be an integer in [1, 255], got ${label}`);
  } else if (t.shape === undefined) {
    throw new InputError(`${field}.shape`, `${field} needs a shape (sphere or ellipsoid) in an analytic domain`);
  }
  const pressure = t.terminalPressureMmHg;
  if (pressure !== undefined && !(pressure >= 0 && pressure <= 300)) {
    throw new InputError(`${field}.terminalPressureMmHg`, `${field}.terminalPressureMmHg must be in [0, 300], got ${pressure}`);
  }
  return {
    name: t.name,
    tnRatio: t.tnRatio,
    shape: mask ? null : (t.shape as Solid),
    maskLabel: mask ? (t.maskLabel as number) : -1,
    necroticMaskLabel: mask ? (t.necroticMaskLabel ?? -1) : -1,
    necroticCoreFraction: mask ? 0 : core,
    rimFraction: mask ? 0 : rim,
    rimTnRatio: rimTn,
    ...(pressure === undefined ? {} : { terminalPressureMmHg: pressure }),
  };
}

/** An analytic domain: a liver shape with analytic tumours. */
export function analyticDomain(liver: Shape, tumours: readonly TumourInput[] = []): Domain {
  const regions = tumours.map((t, i) => checkTumour(t, i, false));
  return { liver: { kind: "analytic", shape: liver }, tumours: regions, boundsMm: shapeBounds(liver), maskLabelMap: new Uint8Array(256) };
}

/**
 * A domain from a label mask (the caller reads the image): value 0 is outside, a tumour's
 * `maskLabel` (and `necroticMaskLabel`) mark the tumour, any other non-zero value is liver.
 */
export function maskDomain(input: Grid<Uint8Array>, tumours: readonly TumourInput[] = []): Domain {
  // The domain's world is RAS (analytic shapes, the dose grid, the tree): a DICOM-derived (LPS) mask,
  // such as the CT grid VOIs are drawn on, is converted here, once (it was read as if RAS: mirrored in x and y).
  const grid = rasGrid(input);
  const regions = tumours.map((t, i) => checkTumour(t, i, true));
  const map = new Uint8Array(256);
  for (let v = 1; v < 256; v++) map[v] = 1;
  const count = regions.length;
  if (2 + 2 * count > 255) throw new InputError("geometry.tumours", `geometry.tumours must have at most 126 entries, got ${count}`);
  regions.forEach((t, i) => {
    map[t.maskLabel] = 2 + i;
    if (t.necroticMaskLabel > 0) map[t.necroticMaskLabel] = 2 + count + i;
  });
  // Bounding box of the non-zero voxels' centres, padded by half a voxel.
  const d = grid.dims;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  let any = false;
  for (let k = 0; k < d[2]; k++)
    for (let j = 0; j < d[1]; j++)
      for (let i = 0; i < d[0]; i++) {
        if (grid.data[i + d[0] * (j + d[1] * k)] === 0) continue;
        any = true;
        if (i < lo[0]) lo[0] = i;
        if (j < lo[1]) lo[1] = j;
        if (k < lo[2]) lo[2] = k;
        if (i > hi[0]) hi[0] = i;
        if (j > hi[1]) hi[1] = j;
        if (k > hi[2]) hi[2] = k;
      }
  if (!any) throw new InputError("geometry.mask", "geometry.mask has no non-zero voxel");
  const minMm: Vec3 = [Infinity, Infinity, Infinity];
  const maxMm: Vec3 = [-Infinity, -Infinity, -Infinity];
  const p: Vec3 = [0, 0, 0];
  const dir = grid.direction;
  for (let c = 0; c < 8; c++) {
    const i = (c & 1 ? hi[0] + 0.5 : lo[0] - 0.5);
    const j = (c & 2 ? hi[1] + 0.5 : lo[1] - 0.5);
    const k = (c & 4 ? hi[2] + 0.5 : lo[2] - 0.5);
    const x = i * grid.spacingMm[0], y = j * grid.spacingMm[1], z = k * grid.spacingMm[2];
    p[0] = grid.originMm[0] + dir[0] * x + dir[1] * y + dir[2] * z;
    p[1] = grid.originMm[1] + dir[3] * x + dir[4] * y + dir[5] * z;
    p[2] = grid.originMm[2] + dir[6] * x + dir[7] * y + dir[8] * z;
    for (let a = 0; a < 3; a++) {
      minMm[a] = Math.min(minMm[a], p[a]);
      maxMm[a] = Math.max(maxMm[a], p[a]);
    }
  }
  return { liver: { kind: "mask", grid }, tumours: regions, boundsMm: { minMm, maxMm }, maskLabelMap: map };
}

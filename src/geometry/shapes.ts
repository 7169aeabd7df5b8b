/**
 * Analytic solids in world millimetres: ellipsoids (optionally rotated), spheres and unions of
 * them. Point queries allocate nothing. A rotation is a row-major 3×3 matrix whose columns are the
 * ellipsoid's local axes in world coordinates (same convention as grid directions, grid.ts).
 */
import type { Mat3, Vec3 } from "./grid.js";

export interface EllipsoidShape {
  readonly kind: "ellipsoid";
  readonly centerMm: Vec3;
  readonly semiAxesMm: Vec3;
  /** Local axes as columns (orthonormal); identity when absent. */
  readonly rotation?: Mat3;
}

export interface SphereShape {
  readonly kind: "sphere";
  readonly centerMm: Vec3;
  readonly radiusMm: number;
}

export interface UnionShape {
  readonly kind: "union";
  readonly parts: readonly (EllipsoidShape | SphereShape)[];
}

export type Solid = EllipsoidShape | SphereShape;
export type Shape = Solid | UnionShape;

/** Axis-aligned bounding box, mm. */
export interface BoundsMm {
  readonly minMm: Vec3;
  readonly maxMm: Vec3;
}

/**
 * Normalised radius of a point in a solid: sqrt(Σ (local_i / a_i)²). ≤ 1 inside, 1 on the surface.
 * For a sphere it is distance / radius, so fractions of it are fractions of the radius.
 */
export function normalizedRadius(shape: Solid, x: number, y: number, z: number): number {
  const dx = x - shape.centerMm[0];
  const dy = y - shape.centerMm[1];
  const dz = z - shape.centerMm[2];
  if (shape.kind === "sphere") return Math.sqrt(dx * dx + dy * dy + dz * dz) / shape.radiusMm;
  const a = shape.semiAxesMm;
  const m = shape.rotation;
  let u = dx, v = dy, w = dz;
  if (m !== undefined) {
    // local = Mᵀ · d (columns of M are the local axes).
    u = m[0] * dx + m[3] * dy + m[6] * dz;
    v = m[1] * dx + m[4] * dy + m[7] * dz;
    w = m[2] * dx + m[5] * dy + m[8] * dz;
  }
  u /= a[0];
  v /= a[1];
  w /= a[2];
  return Math.sqrt(u * u + v * v + w * w);
}

/**
 * Largest change of `normalizedRadius` over a ball of radius `radiusMm`: radius / (smallest semi-axis),
 * because the normalised radius is the length of Mᵀd scaled per axis by 1/a_i ≤ 1/min a (M orthonormal).
 */
export function normalizedRadiusSpread(shape: Solid, radiusMm: number): number {
  if (shape.kind === "sphere") return radiusMm / shape.radiusMm;
  const a = shape.semiAxesMm;
  return radiusMm / Math.min(a[0], a[1], a[2]);
}

/** True when (x, y, z) lies in the shape (surface included). */
export function shapeContains(shape: Shape, x: number, y: number, z: number): boolean {
  if (shape.kind !== "union") return normalizedRadius(shape, x, y, z) <= 1;
  const parts = shape.parts;
  for (let i = 0; i < parts.length; i++) if (normalizedRadius(parts[i], x, y, z) <= 1) return true;
  return false;
}

/** Exact volume of one solid, mL (4/3 π abc / 1000). */
export function solidVolumeMl(shape: Solid): number {
  if (shape.kind === "sphere") return ((4 / 3) * Math.PI * shape.radiusMm ** 3) / 1000;
  const a = shape.semiAxesMm;
  return ((4 / 3) * Math.PI * a[0] * a[1] * a[2]) / 1000;
}

/** Axis-aligned bounding box of a shape (exact for rotated ellipsoids too). */
export function shapeBounds(shape: Shape): BoundsMm {
  if (shape.kind === "union") {
    const minMm: Vec3 = [Infinity, Infinity, Infinity];
    const maxMm: Vec3 = [-Infinity, -Infinity, -Infinity];
    for (const part of shape.parts) {
      const b = shapeBounds(part);
      for (let k = 0; k < 3; k++) {
        minMm[k] = Math.min(minMm[k], b.minMm[k]);
        maxMm[k] = Math.max(maxMm[k], b.maxMm[k]);
      }
    }
    return { minMm, maxMm };
  }
  const c = shape.centerMm;
  if (shape.kind === "sphere") {
    const r = shape.radiusMm;
    return { minMm: [c[0] - r, c[1] - r, c[2] - r], maxMm: [c[0] + r, c[1] + r, c[2] + r] };
  }
  const a = shape.semiAxesMm;
  const m = shape.rotation ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const half: Vec3 = [0, 0, 0];
  // Half-extent along world axis k of an ellipsoid with axes M·diag(a): sqrt(Σ_j (M_kj a_j)²).
  for (let k = 0; k < 3; k++) {
    let s = 0;
    for (let j = 0; j < 3; j++) s += (m[3 * k + j] * a[j]) ** 2;
    half[k] = Math.sqrt(s);
  }
  return { minMm: [c[0] - half[0], c[1] - half[1], c[2] - half[2]], maxMm: [c[0] + half[0], c[1] + half[1], c[2] + half[2]] };
}

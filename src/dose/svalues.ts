/**
 * Voxel S-values (MIRD Pamphlet 17, Bolch et al. J Nucl Med 1999;40:11S): the mean absorbed dose
 * in a target voxel per decay uniformly distributed in a source voxel, mGy/(MBq·s), for any
 * voxel size (cubic or not, 0.05–10 mm) and tissue density, from the radial kernel of kernel.ts.
 *
 * Exact formula. With X uniform in the source box and Y uniform in the target box offset by Δ,
 * the difference d = Y − X has the density Πₐ hat((dₐ − Δₐ)/sₐ)/sₐ (hat = the linear B-spline,
 * 1 − |t| on [−1, 1]). Hence the energy per decay absorbed in the target is
 *
 *   E(Δ) = ∫ e(|d|) Πₐ hat((dₐ − Δₐ)/sₐ) d³d,   e(r) = E'(r) / (4π r²),
 *        = ∫₀^R E'(r) · (1/4π) ∮ Πₐ hat((r ωₐ − Δₐ)/sₐ) dω dr.
 *
 * The inner factor is the trilinear interpolation weight of the point rω at lattice node Δ: the
 * S-value kernel is the radial kernel's energy, placed on spheres and spread to the lattice by
 * trilinear weights. Because those weights sum to one, energy is conserved exactly whatever the
 * quadrature. This "spherical splat" is used from r = 0 (where e(r) is singular) outwards.
 *
 * Far field (fine voxels only). For r ≫ s the sphere needs too many points, but e(r) is smooth
 * on the voxel scale there, so E(Δ) is integrated directly in Cartesian form with a 4-point
 * Gauss–Jacobi rule per axis (exact for the hat weight times cubics). The two parts meet through a
 * smooth partition of unity χ(r) (1 inside r₁ = 6·s_max, 0 beyond r₂ = 10·s_max), so no
 * discontinuity enters either quadrature. The residual of the energy balance is reported.
 */
import { checkRange } from "../errors.js";
import type { Vec3 } from "../geometry/grid.js";
import type { NuclideId } from "../physics/index.js";
import { energyPerRadiusMeVPerMm, mevPerDecayToSValue, radialKernel, type RadialKernel, type RadialKernelOptions } from "./kernel.js";
import { gaussLegendre01 } from "./quadrature.js";

export interface VoxelSValues {
  readonly nuclide: NuclideId;
  readonly spacingMm: Vec3;
  readonly densityGPerMl: number;
  /** Largest offset (voxels) with a non-zero value along each axis; the kernel spans −h..h. */
  readonly halfWidth: Vec3;
  /**
   * S-values for offsets (i, j, k) ≥ 0, mGy/(MBq·s), at index i + (hx+1)·(j + (hy+1)·k).
   * The kernel is even in each axis: S(±i, ±j, ±k) = S(i, j, k).
   */
  readonly octant: Float64Array;
  readonly unit: "mGy/(MBq*s)";
  /** Energy per decay absorbed in the whole kernel (all octants), MeV. */
  readonly absorbedMeV: number;
  /** (absorbedMeV − kernel total) / kernel total: quadrature residual of the energy balance. */
  readonly conservationResidual: number;
  /** The radial kernel's residual against the nuclide's mean energy (before normalisation). */
  readonly residualVsMeanEnergy: number;
  readonly kernel: RadialKernel;
  readonly provenance: readonly string[];
}

export interface VoxelSValueOptions extends RadialKernelOptions {
  /**
   * Radius (in largest voxel sizes) where the far-field Cartesian quadrature starts to take over
   * from the spherical splat; Infinity forces the splat everywhere. Default 6.
   */
  farFieldStartVoxels?: number;
}

/** Half-nodes and weights of the 2-point Gauss–Jacobi rule for the weight (1 − t) on [0, 1]. */
const GJ_NODES = [(0.8 - Math.sqrt(0.24)) / 2, (0.8 + Math.sqrt(0.24)) / 2];
const GJ_WEIGHTS = [(1 / 6 - GJ_NODES[1] / 2) / (GJ_NODES[0] - GJ_NODES[1]), (1 / 6 - GJ_NODES[0] / 2) / (GJ_NODES[1] - GJ_NODES[0])];

/**
 * Voxel S-values of a nuclide for a voxel size, mGy/(MBq·s).
 * @param spacingMm cubic voxel side, or [sx, sy, sz], each in [0.05, 10] mm.
 */
export function voxelSValues(nuclide: NuclideId, spacingMm: number | Vec3, options: VoxelSValueOptions = {}): VoxelSValues {
  const spacing: Vec3 = typeof spacingMm === "number" ? [spacingMm, spacingMm, spacingMm] : [...spacingMm];
  spacing.forEach((s, a) => checkRange(`spacingMm[${a}]`, s, 0.05, 10));
  const kernel = radialKernel(nuclide, options);
  const farStart = options.farFieldStartVoxels ?? 6;
  // Infinity is allowed (splat everywhere), which checkRange would reject as non-finite.
  if (!(farStart >= 2)) checkRange("farFieldStartVoxels", farStart, 2, Number.MAX_VALUE);

  const [sx, sy, sz] = spacing;
  const rMax = kernel.maxRadiusMm;
  const hx = Math.floor(rMax / sx) + 1;
  const hy = Math.floor(rMax / sy) + 1;
  const hz = Math.floor(rMax / sz) + 1;
  const nx = hx + 1;
  const ny = hy + 1;
  const nz = hz + 1;
  const energy = new Float64Array(nx * ny * nz);

  const sMax = Math.max(sx, sy, sz);
  const sMin = Math.min(sx, sy, sz);
  const r1 = farStart * sMax;
  const r2 = (farStart + 4) * sMax;
  const split = r2 < rMax;

  splatSpheres(energy, kernel, spacing, [nx, ny, nz], split ? r1 : Infinity, split ? r2 : rMax, sMin);
  // Octant integral → full-lattice value: nodes on a symmetry plane also collect the mirrored octant.
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      const factor = (j === 0 ? 2 : 1) * (k === 0 ? 2 : 1);
      energy[row] *= factor * 2;
      for (let i = 1; i < nx; i++) energy[row + i] *= factor;
    }
  }
  if (split) addFarField(energy, kernel, spacing, [nx, ny, nz], r1, r2);
  // The quadrature's directions are not symmetric under swapping axes (μ runs along z): average
  // over the axis permutations that leave the voxel unchanged. Energy is only moved, not changed.
  symmetrise(energy, spacing, [nx, ny, nz]);

  let absorbed = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const mult = (i === 0 ? 1 : 2) * (j === 0 ? 1 : 2) * (k === 0 ? 1 : 2);
        absorbed += mult * energy[i + nx * (j + ny * k)];
      }
    }
  }
  const massG = kernel.densityGPerMl * 1e-3 * sx * sy * sz;
  const octant = new Float64Array(energy.length);
  for (let n = 0; n < energy.length; n++) octant[n] = mevPerDecayToSValue(energy[n], massG);

  return Object.freeze({
    nuclide,
    spacingMm: spacing,
    densityGPerMl: kernel.densityGPerMl,
    halfWidth: [hx, hy, hz] as Vec3,
    octant,
    unit: "mGy/(MBq*s)" as const,
    absorbedMeV: absorbed,
    conservationResidual: (absorbed - kernel.totalMeV) / kernel.totalMeV,
    residualVsMeanEnergy: kernel.residualVsMeanEnergy,
    kernel,
    provenance: Object.freeze([
      ...kernel.provenance,
      "voxel S-values: exact box-box average of the point kernel (trilinear splat of spherical shells; Gauss-Jacobi far field), MIRD Pamphlet 17 convention",
    ]),
  });
}

/** Average each value over the axis permutations that map the spacing (and dims) onto itself. */
function symmetrise(values: Float64Array, spacing: Vec3, dims: Vec3): void {
  const perms: Vec3[] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const keep = perms.filter((p) => p.every((axis, a) => spacing[axis] === spacing[a] && dims[axis] === dims[a]));
  if (keep.length === 1) return;
  const [nx, ny, nz] = dims;
  const copy = Float64Array.from(values);
  const idx: Vec3 = [0, 0, 0];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        let sum = 0;
        for (const p of keep) {
          idx[p[0]] = i;
          idx[p[1]] = j;
          idx[p[2]] = k;
          sum += copy[idx[0] + nx * (idx[1] + ny * idx[2])];
        }
        values[i + nx * (j + ny * k)] = sum / keep.length;
      }
    }
  }
}

/** The S-value at offset (i, j, k) voxels (any signs), 0 outside the kernel. */
export function sValueAt(s: VoxelSValues, i: number, j: number, k: number): number {
  const [hx, hy, hz] = s.halfWidth;
  const a = Math.abs(i);
  const b = Math.abs(j);
  const c = Math.abs(k);
  if (a > hx || b > hy || c > hz) return 0;
  return s.octant[a + (hx + 1) * (b + (hy + 1) * c)];
}

/** χ(r): 1 inside r1, 0 beyond r2, C² quintic step between. */
function partition(r: number, r1: number, r2: number): number {
  if (r <= r1) return 1;
  if (r >= r2) return 0;
  const t = (r - r1) / (r2 - r1);
  return 1 - t * t * t * (10 + t * (-15 + 6 * t));
}

/**
 * Spherical splat over the positive octant of directions, radii [0, rEnd): each quadrature point
 * carries E'(r)·χ(r)·dr·dω/4π and is spread to its 8 lattice neighbours by trilinear weights.
 */
function splatSpheres(out: Float64Array, kernel: RadialKernel, spacing: Vec3, dims: Vec3, r1: number, rEnd: number, sMin: number): void {
  const [sx, sy, sz] = spacing;
  const [nx, ny] = dims;
  const strideZ = nx * ny;
  // Radial segments: the kernel's nodes (E' is a quadratic between them), subdivided to ≤ sMin/8.
  const node = kernel.nodeSpacingMm;
  const sub = Math.max(1, Math.ceil(node / (sMin / 8)));
  const seg = node / sub;
  const segments = Math.ceil(rEnd / seg - 1e-9);
  const radial = gaussLegendre01(3);
  const angularSpacing = sMin / 12;
  const octantSolidAngleOver4Pi = Math.PI / 2 / (4 * Math.PI);
  for (let sIdx = 0; sIdx < segments; sIdx++) {
    const r0 = sIdx * seg;
    for (let q = 0; q < 3; q++) {
      const r = r0 + seg * radial.nodes[q];
      if (r >= rEnd) continue;
      const weightR = energyPerRadiusMeVPerMm(kernel, r) * partition(r, r1, rEnd) * seg * radial.weights[q];
      if (weightR <= 0) continue;
      const nAng = Math.max(4, Math.ceil(((Math.PI / 2) * r) / angularSpacing));
      const rule = gaussLegendre01(nAng);
      const trig = phiTable(nAng);
      const w0 = weightR * octantSolidAngleOver4Pi;
      for (let a = 0; a < nAng; a++) {
        const mu = rule.nodes[a];
        const z = (r * mu) / sz;
        const rho = r * Math.sqrt(1 - mu * mu);
        const wa = w0 * rule.weights[a];
        const k0 = Math.floor(z);
        const fz = z - k0;
        const baseZ0 = k0 * strideZ;
        for (let b = 0; b < nAng; b++) {
          const x = (rho * trig[2 * b]) / sx;
          const y = (rho * trig[2 * b + 1]) / sy;
          const w = wa * rule.weights[b];
          const i0 = Math.floor(x);
          const j0 = Math.floor(y);
          const fx = x - i0;
          const fy = y - j0;
          const p = baseZ0 + j0 * nx + i0;
          const wz0 = w * (1 - fz);
          const wz1 = w * fz;
          const gx0 = 1 - fx;
          const gy0 = 1 - fy;
          out[p] += wz0 * gy0 * gx0;
          out[p + 1] += wz0 * gy0 * fx;
          out[p + nx] += wz0 * fy * gx0;
          out[p + nx + 1] += wz0 * fy * fx;
          const q1 = p + strideZ;
          out[q1] += wz1 * gy0 * gx0;
          out[q1 + 1] += wz1 * gy0 * fx;
          out[q1 + nx] += wz1 * fy * gx0;
          out[q1 + nx + 1] += wz1 * fy * fx;
        }
      }
    }
  }
}

const phiTables = new Map<number, Float64Array>();
/** cos φ, sin φ at the n Gauss–Legendre nodes of [0, π/2], interleaved. */
function phiTable(n: number): Float64Array {
  const hit = phiTables.get(n);
  if (hit) return hit;
  const rule = gaussLegendre01(n);
  const t = new Float64Array(2 * n);
  for (let b = 0; b < n; b++) {
    const phi = (Math.PI / 2) * rule.nodes[b];
    t[2 * b] = Math.cos(phi);
    t[2 * b + 1] = Math.sin(phi);
  }
  phiTables.set(n, t);
  return t;
}

/**
 * Far field: E(Δ) += ∫ e(|d|)(1 − χ(|d|)) Πₐ hat((dₐ − Δₐ)/sₐ) d³d with 4 Gauss–Jacobi points
 * per axis (2 on each side of the hat). Cubic voxels use the 6-fold permutation symmetry.
 */
function addFarField(out: Float64Array, kernel: RadialKernel, spacing: Vec3, dims: Vec3, r1: number, r2: number): void {
  const [sx, sy, sz] = spacing;
  const [nx, ny, nz] = dims;
  const rMax = kernel.maxRadiusMm;
  const cubic = sx === sy && sy === sz;
  const offX = axisRule(sx);
  const offY = axisRule(sy);
  const offZ = axisRule(sz);
  const fourPi = 4 * Math.PI;
  for (let k = 0; k < nz; k++) {
    const cz = k * sz;
    const nearZ = Math.max(0, cz - sz);
    const farZ = cz + sz;
    for (let j = cubic ? k : 0; j < ny; j++) {
      const cy = j * sy;
      const nearY = Math.max(0, cy - sy);
      const farY = cy + sy;
      for (let i = cubic ? j : 0; i < nx; i++) {
        const cx = i * sx;
        const nearX = Math.max(0, cx - sx);
        const farX = cx + sx;
        const rNear = Math.sqrt(nearX * nearX + nearY * nearY + nearZ * nearZ);
        if (rNear >= rMax) continue;
        const rFar = Math.sqrt(farX * farX + farY * farY + farZ * farZ);
        if (rFar <= r1) continue;
        let sum = 0;
        for (let c = 0; c < 4; c++) {
          const dz = cz + offZ[2 * c];
          const wz = offZ[2 * c + 1];
          for (let b = 0; b < 4; b++) {
            const dy = cy + offY[2 * b];
            const wyz = wz * offY[2 * b + 1];
            for (let a = 0; a < 4; a++) {
              const dx = cx + offX[2 * a];
              const r2d = dx * dx + dy * dy + dz * dz;
              const r = Math.sqrt(r2d);
              if (r <= r1 || r >= rMax) continue;
              const e = energyPerRadiusMeVPerMm(kernel, r) / (fourPi * r2d);
              sum += e * (1 - partition(r, r1, r2)) * wyz * offX[2 * a + 1];
            }
          }
        }
        if (cubic) {
          addToPermutations(out, nx, ny, i, j, k, sum);
        } else {
          out[i + nx * (j + ny * k)] += sum;
        }
      }
    }
  }
}

/** Offsets and weights (mm, mm) of the 4-point rule for ∫ f(t) hat(t/s)/s·s dt over [−s, s]: Σw = s. */
function axisRule(s: number): Float64Array {
  const r = new Float64Array(8);
  r[0] = -s * GJ_NODES[1];
  r[1] = s * GJ_WEIGHTS[1];
  r[2] = -s * GJ_NODES[0];
  r[3] = s * GJ_WEIGHTS[0];
  r[4] = s * GJ_NODES[0];
  r[5] = s * GJ_WEIGHTS[0];
  r[6] = s * GJ_NODES[1];
  r[7] = s * GJ_WEIGHTS[1];
  return r;
}

/** Add `value` at every distinct permutation of (i, j, k), i ≥ j ≥ k (cubic voxels). */
function addToPermutations(out: Float64Array, nx: number, ny: number, i: number, j: number, k: number, value: number): void {
  const at = (a: number, b: number, c: number) => a + nx * (b + ny * c);
  out[at(i, j, k)] += value;
  if (i === j && j === k) return;
  if (i === j) {
    out[at(i, k, j)] += value;
    out[at(k, i, j)] += value;
    return;
  }
  if (j === k) {
    out[at(j, i, k)] += value;
    out[at(j, k, i)] += value;
    return;
  }
  out[at(i, k, j)] += value;
  out[at(j, i, k)] += value;
  out[at(j, k, i)] += value;
  out[at(k, i, j)] += value;
  out[at(k, j, i)] += value;
}

/**
 * Terminal territories by tessellation: each terminal supplies the tissue nearer to it than to any
 * other terminal of its compartment (a Voronoi cell, distances weighted by the terminal's nominal
 * radius so that hypervascular tissue, sampled more densely, keeps its smaller cells), measured on
 * a regular lattice of points in the perfused domain. A terminal's flow is then its compartment's
 * flow times its share of the compartment's perfusion-weighted tissue.
 *
 * Why: terminal sites are drawn independently (a Poisson process with density ∝ perfusion). With
 * equal flow per terminal, a region's flow follows the NUMBER of terminals that happened to fall
 * in it, a placement noise of relative size 1/√(terminals in the region) that shrinks as the tree
 * is refined — the dose–volume metrics then depend on the terminal count (issue 14). With flow ∝
 * the tissue each terminal supplies, a region's flow is its tissue's, at every resolution, up to a
 * boundary term of one cell; the heterogeneity of flow is then the physical one put in by the
 * transport's heterogeneity model (src/transport/models/heterogeneity.ts), not an artefact.
 *
 * The lattice is deterministic (no random numbers): spacing h from the smallest mean territory of
 * any compartment (about POINTS_PER_TERRITORY points each), capped at MAX_POINTS_PER_TERMINAL
 * points per terminal over the bounding box. A terminal whose cell holds no lattice point keeps
 * half a point (its cell is smaller than the lattice resolves; it must keep a positive flow for
 * the Murray sizing).
 */
import type { Domain } from "../geometry/domain.js";
import { compartmentOfLabel, labelAt, perfusionAt } from "../geometry/domain.js";
import type { DomainIntegral } from "../geometry/integrate.js";
import type { TerminalSites } from "./sample.js";

const POINTS_PER_TERRITORY = 8;
export const MAX_POINTS_PER_TERMINAL = 12;
/** Lloyd relaxation steps of the sites before the final tessellation. */
export const LLOYD_STEPS = 2;

/**
 * The lattice of a tessellation and the weights of its sites: plain data, so that the owner
 * search of a slab of lattice layers can run on a worker (src/parallel/tree.ts). `xyzMm` is the
 * sites' positions at the current Lloyd step.
 */
export interface TessellationLattice {
  readonly loMm: readonly [number, number, number];
  readonly hiMm: readonly [number, number, number];
  /** Lattice spacing, mm. */
  readonly h: number;
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  /** Compartment + 1 of every lattice point, x fastest (0: not perfused, or no terminals). */
  readonly compartmentPlus1: Uint8Array;
  readonly xyzMm: Float64Array;
  /** Squared nominal radius of every site (the distance weight). */
  readonly radius2: Float64Array;
  readonly maxRadius: number;
  readonly compartment: Int32Array;
}

/** Allocates the bytes of an array: an ArrayBuffer (the default), or a SharedArrayBuffer the caller's workers read. */
export type BufferAllocator = (bytes: number) => ArrayBuffer | SharedArrayBuffer;
const plainBuffer: BufferAllocator = (bytes) => new ArrayBuffer(bytes);

/** The lattice without its sites: what the owner search of a slab reads besides the site hash. */
export type LatticeGrid = Pick<TessellationLattice, "loMm" | "h" | "nx" | "ny" | "nz" | "compartmentPlus1">;

/** Rewrite `sites.territoryMl` and `sites.flowMlPerMin` from the tessellation (in place). */
export function tessellateTerritories(domain: Domain, integral: DomainIntegral, sites: TerminalSites, rootFlowMlPerMin: number): void {
  const lattice = tessellationLattice(domain, integral, sites);
  const steps = tessellationSteps(domain, integral, sites, rootFlowMlPerMin, lattice);
  const owners = new Int32Array(lattice.nx * lattice.ny * lattice.nz);
  let hash: SiteHash | undefined;
  // Each yielded job asks for the owners of every lattice point; the search runs here, on this thread.
  for (let job = steps.next(); !job.done; ) {
    hash = siteHash(job.value, undefined, hash);
    job = steps.next(latticeOwners(job.value, hash, 0, job.value.nz, { owners, firstLayer: 0 }));
  }
}

/**
 * The tessellation's lattice for `sites` (their nominal territories set the weights): spacing,
 * extent and every point's compartment — the part of the work that does not change with the
 * Lloyd steps. `buffer` allocates the compartments' bytes (the pool passes SharedArrayBuffers, which
 * workers read without a copy).
 */
export function tessellationLattice(domain: Domain, integral: DomainIntegral, sites: TerminalSites, buffer: BufferAllocator = plainBuffer): TessellationLattice {
  const N = sites.count;
  const C = integral.compartments.length;
  // Nominal territories (sample.ts: compartment volume shared ∝ 1/perfusion) set the weights.
  const nominal = sites.territoryMl;
  const perCount = compartmentCounts(sites, C);
  let smallest = Infinity;
  for (let c = 0; c < C; c++) {
    if (perCount[c] > 0) smallest = Math.min(smallest, (integral.compartments[c].viableVolumeMl * 1000) / perCount[c]);
  }
  const lo = domain.boundsMm.minMm;
  const hi = domain.boundsMm.maxMm;
  const boxMm3 = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  const h = Math.max(Math.cbrt(smallest / POINTS_PER_TERRITORY), Math.cbrt(boxMm3 / (MAX_POINTS_PER_TERMINAL * N)));
  const radius2 = new Float64Array(N);
  let maxRadius = 0;
  for (let i = 0; i < N; i++) {
    const r = Math.cbrt((3 * nominal[i] * 1000) / (4 * Math.PI));
    radius2[i] = r * r;
    if (r > maxRadius) maxRadius = r;
  }
  const nx = Math.max(1, Math.ceil((hi[0] - lo[0]) / h));
  const ny = Math.max(1, Math.ceil((hi[1] - lo[1]) / h));
  const nz = Math.max(1, Math.ceil((hi[2] - lo[2]) / h));
  return {
    loMm: [lo[0], lo[1], lo[2]],
    hiMm: [hi[0], hi[1], hi[2]],
    h,
    nx,
    ny,
    nz,
    compartmentPlus1: latticeCompartments(domain, perCount, h, nx, ny, nz, buffer),
    xyzMm: sites.xyzMm,
    radius2,
    maxRadius,
    compartment: sites.compartment,
  };
}

function compartmentCounts(sites: TerminalSites, C: number): Float64Array {
  const perCount = new Float64Array(C);
  for (let i = 0; i < sites.count; i++) perCount[sites.compartment[i]]++;
  return perCount;
}

/**
 * The tessellation as steps: each yield is the lattice with the sites' current positions, and
 * the caller answers with the owner of every lattice point (latticeOwners, on this thread or
 * split by layers over workers: the owner of a point is exact, so any split gives the same
 * answer). Points and coordinate sums are then added in lattice order on the caller's thread,
 * so the territories, flows and Lloyd steps are bit-identical however the search was split.
 * Ends having rewritten `sites.territoryMl` and `sites.flowMlPerMin` (and the positions, moved
 * by the Lloyd steps).
 */
export function* tessellationSteps(
  domain: Domain,
  integral: DomainIntegral,
  sites: TerminalSites,
  rootFlowMlPerMin: number,
  lattice: TessellationLattice,
): Generator<TessellationLattice, void, Int32Array> {
  const N = sites.count;
  const C = integral.compartments.length;
  const xyz = sites.xyzMm;
  const points = new Float64Array(N);
  const sums = new Float64Array(3 * N);
  for (let step = 0; step <= LLOYD_STEPS; step++) {
    const owners = yield { ...lattice, xyzMm: xyz };
    accumulateOwners(lattice, owners, points, sums);
    if (step === LLOYD_STEPS) break;
    // Lloyd step: move each site to the centroid of its cell when that stays in its compartment's
    // perfused tissue — independent draws become an evenly spread set (blue noise), so a ball of
    // a terminal's territory around its site covers its cell closely.
    for (let i = 0; i < N; i++) {
      if (points[i] === 0) continue;
      const x = sums[3 * i] / points[i], y = sums[3 * i + 1] / points[i], z = sums[3 * i + 2] / points[i];
      if (perfusionAt(domain, x, y, z) > 0 && compartmentOfLabel(domain, labelAt(domain, x, y, z)) === sites.compartment[i]) {
        xyz[3 * i] = x;
        xyz[3 * i + 1] = y;
        xyz[3 * i + 2] = z;
      }
    }
  }
  const compartment = sites.compartment;
  const perCount = compartmentCounts(sites, C);
  // Territory: the compartment's viable volume shared by lattice points; flow: the compartment's
  // flow (Q·I_c/ΣI, as sample.ts) shared by perfusion × territory.
  const pointSum = new Float64Array(C);
  const weightSum = new Float64Array(C);
  const weight = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const p = Math.max(points[i], 0.5);
    points[i] = p;
    const c = compartment[i];
    pointSum[c] += p;
    weight[i] = p * perfusionAt(domain, xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
    weightSum[c] += weight[i];
  }
  let total = 0;
  for (let c = 0; c < C; c++) if (perCount[c] > 0) total += integral.compartments[c].perfusionIntegralMl;
  for (let i = 0; i < N; i++) {
    const c = compartment[i];
    sites.territoryMl[i] = (integral.compartments[c].viableVolumeMl * points[i]) / pointSum[c];
    sites.flowMlPerMin[i] = (rootFlowMlPerMin * integral.compartments[c].perfusionIntegralMl * weight[i]) / (total * weightSum[c]);
  }
}

/** Every site's lattice points into `points`, their coordinate sums into `sums`, in lattice order (owners from latticeOwners, −1: none). */
function accumulateOwners(lattice: TessellationLattice, owners: Int32Array, points: Float64Array, sums: Float64Array): void {
  const { loMm: lo, h, nx, ny, nz } = lattice;
  points.fill(0);
  sums.fill(0);
  for (let iz = 0, q = 0; iz < nz; iz++) {
    const z = lo[2] + (iz + 0.5) * h;
    for (let iy = 0; iy < ny; iy++) {
      const y = lo[1] + (iy + 0.5) * h;
      for (let ix = 0; ix < nx; ix++, q++) {
        const best = owners[q];
        if (best < 0) continue;
        points[best]++;
        sums[3 * best] += lo[0] + (ix + 0.5) * h;
        sums[3 * best + 1] += y;
        sums[3 * best + 2] += z;
      }
    }
  }
}

/**
 * Compartment + 1 of every lattice point (0: not perfused, or a compartment without terminals),
 * queried once for all passes (the domain queries were most of a pass's time).
 */
function latticeCompartments(domain: Domain, perCount: Float64Array, h: number, nx: number, ny: number, nz: number, buffer: BufferAllocator): Uint8Array {
  const lo = domain.boundsMm.minMm;
  if (perCount.length > 254) throw new Error("tessellateTerritories: more than 254 compartments");
  const out = new Uint8Array(buffer(nx * ny * nz));
  for (let iz = 0, q = 0; iz < nz; iz++) {
    const z = lo[2] + (iz + 0.5) * h;
    for (let iy = 0; iy < ny; iy++) {
      const y = lo[1] + (iy + 0.5) * h;
      for (let ix = 0; ix < nx; ix++, q++) {
        const x = lo[0] + (ix + 0.5) * h;
        if (!(perfusionAt(domain, x, y, z) > 0)) continue;
        const c = compartmentOfLabel(domain, labelAt(domain, x, y, z));
        if (c >= 0 && perCount[c] > 0) out[q] = c + 1;
      }
    }
  }
  return out;
}

/**
 * The sites in a spatial hash (cells of about one nominal spacing of the coarsest compartment),
 * in hash-cell order: coordinates, radius², compartment and index side by side (the per-site
 * indirection into the site arrays was a cache miss per candidate at 1.5e6 sites). Plain typed
 * arrays, built once per Lloyd pass and shared by the slabs' searches.
 */
export interface SiteHash {
  readonly g: number;
  readonly gx: number;
  readonly gy: number;
  readonly gz: number;
  /** Hash cell k's sites are positions [start[k], start[k + 1]). */
  readonly start: Int32Array;
  /** Site index of every position. */
  readonly order: Int32Array;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly sz: Float64Array;
  readonly sr2: Float64Array;
  readonly sc: Int32Array;
  /** Largest radius² of every compartment: the pruning bound of a point only meets its own compartment's sites. */
  readonly maxR2: Float64Array;
}

/**
 * The sites of `lattice` (at their current positions) in a spatial hash; `buffer` allocates its
 * arrays' bytes (SharedArrayBuffers on the pool). `reuse`: the hash of an earlier pass of the same
 * lattice, whose arrays are overwritten (the sizes depend on the lattice and the sites' count
 * only): the workers' references to them are not collected at once, so a new hash per pass would
 * hold three. Only safe once every search of the earlier pass has ended: the pool's runAll
 * resolves (or rejects) only after all its units have finished, even when one fails.
 */
export function siteHash(lattice: TessellationLattice, buffer: BufferAllocator = plainBuffer, reuse?: SiteHash): SiteHash {
  const bytes = buffer;
  const f64 = (n: number, old?: Float64Array) => (old?.length === n ? old : new Float64Array(bytes(8 * n)));
  const i32 = (n: number, old?: Int32Array) => (old?.length === n ? old.fill(0) : new Int32Array(bytes(4 * n)));
  const { xyzMm: xyz, compartment, radius2, maxRadius, h } = lattice;
  const N = compartment.length;
  const lo = lattice.loMm;
  const hi = lattice.hiMm;
  const g = Math.max(h, 1.2 * maxRadius);
  const gx = Math.max(1, Math.ceil((hi[0] - lo[0]) / g));
  const gy = Math.max(1, Math.ceil((hi[1] - lo[1]) / g));
  const gz = Math.max(1, Math.ceil((hi[2] - lo[2]) / g));
  const cellOf = (x: number, y: number, z: number) => {
    const cx = Math.min(gx - 1, Math.max(0, Math.floor((x - lo[0]) / g)));
    const cy = Math.min(gy - 1, Math.max(0, Math.floor((y - lo[1]) / g)));
    const cz = Math.min(gz - 1, Math.max(0, Math.floor((z - lo[2]) / g)));
    return (cz * gy + cy) * gx + cx;
  };
  const start = i32(gx * gy * gz + 1, reuse?.start);
  for (let i = 0; i < N; i++) start[cellOf(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]) + 1]++;
  for (let k = 0; k < gx * gy * gz; k++) start[k + 1] += start[k];
  const fill = start.slice(0, gx * gy * gz);
  const order = i32(N, reuse?.order);
  const sx = f64(N, reuse?.sx), sy = f64(N, reuse?.sy), sz = f64(N, reuse?.sz), sr2 = f64(N, reuse?.sr2);
  const sc = i32(N, reuse?.sc);
  for (let i = 0; i < N; i++) {
    const q = fill[cellOf(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2])]++;
    order[q] = i;
    sx[q] = xyz[3 * i];
    sy[q] = xyz[3 * i + 1];
    sz[q] = xyz[3 * i + 2];
    sr2[q] = radius2[i];
    sc[q] = compartment[i];
  }
  let C = 0;
  for (let i = 0; i < N; i++) if (compartment[i] + 1 > C) C = compartment[i] + 1;
  const maxR2 = f64(C, reuse?.maxR2).fill(0);
  for (let i = 0; i < N; i++) if (radius2[i] > maxR2[compartment[i]]) maxR2[compartment[i]] = radius2[i];
  return { g, gx, gy, gz, start, order, sx, sy, sz, sr2, sc, maxR2 };
}

/**
 * The owner (site index, −1: none) of every lattice point in layers [izFrom, izTo), x fastest,
 * written into `into.owners` from its layer `into.firstLayer` on (default: a new array of these
 * layers; the other layers are left as they are; a slab's unit copies its array into the shared
 * one):
 * the site of the point's compartment with the least weighted distance |x − site|² / r², ties to
 * the lower index. `hash`: siteHash of the lattice's sites at their current positions.
 *
 * The owner of a point is the exact minimum of (weighted distance, site index), so any search that
 * finds it gives the same tessellation; the search only decides the cost. Each point starts from the owner of
 * the previous point (its neighbour on the lattice row, usually the same owner), and a hash cell is
 * skipped when even its nearest face, at the compartment's largest radius, cannot beat the best
 * weighted distance so far — most of the 27 cells around a point, where the plain ring search read
 * them all.
 */
export function latticeOwners(
  lattice: LatticeGrid,
  hash: SiteHash,
  izFrom: number,
  izTo: number,
  into: { readonly owners: Int32Array; readonly firstLayer: number } = { owners: new Int32Array((izTo - izFrom) * lattice.ny * lattice.nx), firstLayer: izFrom },
): Int32Array {
  const { h, nx, ny, compartmentPlus1 } = lattice;
  const lo = lattice.loMm;
  const { g, gx, gy, gz, start, order, sx, sy, sz, sr2, sc, maxR2 } = hash;
  const { owners, firstLayer } = into;
  owners.fill(-1, (izFrom - firstLayer) * ny * nx, (izTo - firstLayer) * ny * nx);
  // A cell is skipped only when its bound exceeds the best by more than rounding can explain.
  const SLACK = 1 + 1e-9;
  const gMax = Math.max(gx, gy, gz);

  let previous = -1;
  for (let iz = izFrom; iz < izTo; iz++) {
    const z = lo[2] + (iz + 0.5) * h;
    const cz = Math.min(gz - 1, Math.max(0, Math.floor((z - lo[2]) / g)));
    const fz = z - lo[2] - cz * g;
    for (let iy = 0; iy < ny; iy++) {
      const y = lo[1] + (iy + 0.5) * h;
      const cy = Math.min(gy - 1, Math.max(0, Math.floor((y - lo[1]) / g)));
      const fy = y - lo[1] - cy * g;
      for (let ix = 0; ix < nx; ix++) {
        const x = lo[0] + (ix + 0.5) * h;
        const c = compartmentPlus1[(iz * ny + iy) * nx + ix] - 1;
        if (c < 0) continue;
        const cx = Math.min(gx - 1, Math.max(0, Math.floor((x - lo[0]) / g)));
        const fx = x - lo[0] - cx * g;
        const rMax2 = maxR2[c];
        let best = -1;
        let bestQ = -1;
        let bestW = Infinity;
        if (previous >= 0 && sc[previous] === c) {
          const ex = sx[previous] - x, ey = sy[previous] - y, ez = sz[previous] - z;
          bestW = (ex * ex + ey * ey + ez * ez) / sr2[previous];
          best = order[previous];
          bestQ = previous;
        }
        // Rings of hash cells around the point until no farther site can beat the best (weighted
        // distance ≥ distance² / the compartment's max r²). A site in ring k ≥ 1 is at least
        // (k − 1)·g + inner away, inner the distance to the nearest face of the point's own cell.
        const inner = Math.max(0, Math.min(fx, g - fx, fy, g - fy, fz, g - fz));
        for (let k = 0; ; k++) {
          if (best >= 0 && k >= 1 && ((k - 1) * g + inner) ** 2 / rMax2 > bestW * SLACK) break;
          if (k > gMax) break;
          for (let dz = -k; dz <= k; dz++) {
            const zz = cz + dz;
            if (zz < 0 || zz >= gz) continue;
            const bz = dz === 0 ? 0 : dz < 0 ? fz + (-dz - 1) * g : (dz - 1) * g + g - fz;
            const bz2 = bz > 0 ? bz * bz : 0;
            for (let dy = -k; dy <= k; dy++) {
              const yy = cy + dy;
              if (yy < 0 || yy >= gy) continue;
              const by = dy === 0 ? 0 : dy < 0 ? fy + (-dy - 1) * g : (dy - 1) * g + g - fy;
              const bzy2 = bz2 + (by > 0 ? by * by : 0);
              if (bzy2 / rMax2 > bestW * SLACK) continue;
              const shell = Math.abs(dz) === k || Math.abs(dy) === k;
              for (let dx = -k; dx <= k; dx += shell ? 1 : 2 * k) {
                const xx = cx + dx;
                if (xx >= 0 && xx < gx) {
                  const bx = dx === 0 ? 0 : dx < 0 ? fx + (-dx - 1) * g : (dx - 1) * g + g - fx;
                  if ((bzy2 + (bx > 0 ? bx * bx : 0)) / rMax2 <= bestW * SLACK) {
                    const cell = (zz * gy + yy) * gx + xx;
                    for (let q = start[cell]; q < start[cell + 1]; q++) {
                      if (sc[q] !== c) continue;
                      const ex = sx[q] - x, ey = sy[q] - y, ez = sz[q] - z;
                      const w = (ex * ex + ey * ey + ez * ez) / sr2[q];
                      if (w <= bestW) {
                        const i = order[q];
                        if (w < bestW || i < best) {
                          bestW = w;
                          best = i;
                          bestQ = q;
                        }
                      }
                    }
                  }
                }
                if (k === 0) break;
              }
            }
          }
        }
        owners[((iz - firstLayer) * ny + iy) * nx + ix] = best;
        previous = bestQ;
      }
    }
  }
  return owners;
}

/**
 * A uniform-grid spatial index of line segments for the optimised growth: k-nearest segments to a
 * point (ring search) and all segments near a query segment, in time proportional to the local
 * density instead of the tree size. A segment is registered in every cell its bounding box
 * overlaps; ids are small integers chosen by the caller.
 */
export class SegmentIndex {
  readonly cellMm: number;
  readonly originMm: Float64Array;
  readonly dims: Int32Array;
  private readonly cells: (number[] | undefined)[];
  /** Endpoints of every registered id, xyz·2. */
  private ends: Float64Array;
  private registered: Uint8Array;
  private stamp: Uint32Array;
  private stampValue = 0;

  constructor(minMm: ArrayLike<number>, maxMm: ArrayLike<number>, cellMm: number, capacity: number) {
    this.cellMm = cellMm;
    this.originMm = Float64Array.from([minMm[0], minMm[1], minMm[2]]);
    this.dims = Int32Array.from([0, 1, 2].map((k) => Math.max(1, Math.ceil((maxMm[k] - minMm[k]) / cellMm))));
    this.cells = new Array(this.dims[0] * this.dims[1] * this.dims[2]);
    this.ends = new Float64Array(6 * capacity);
    this.registered = new Uint8Array(capacity);
    this.stamp = new Uint32Array(capacity);
  }

  private grow(id: number): void {
    if (id < this.registered.length) return;
    const cap = Math.max(id + 1, 2 * this.registered.length);
    const ends = new Float64Array(6 * cap);
    ends.set(this.ends);
    this.ends = ends;
    const reg = new Uint8Array(cap);
    reg.set(this.registered);
    this.registered = reg;
    const st = new Uint32Array(cap);
    st.set(this.stamp);
    this.stamp = st;
  }

  private cellRange(lo: number, hi: number, axis: number): [number, number] {
    const o = this.originMm[axis];
    const n = this.dims[axis];
    const a = Math.min(n - 1, Math.max(0, Math.floor((lo - o) / this.cellMm)));
    const b = Math.min(n - 1, Math.max(0, Math.floor((hi - o) / this.cellMm)));
    return [a, b];
  }

  private forCells(id: number, visit: (cell: number) => void): void {
    const e = this.ends;
    const base = 6 * id;
    const [i0, i1] = this.cellRange(Math.min(e[base], e[base + 3]), Math.max(e[base], e[base + 3]), 0);
    const [j0, j1] = this.cellRange(Math.min(e[base + 1], e[base + 4]), Math.max(e[base + 1], e[base + 4]), 1);
    const [k0, k1] = this.cellRange(Math.min(e[base + 2], e[base + 5]), Math.max(e[base + 2], e[base + 5]), 2);
    const nx = this.dims[0], ny = this.dims[1];
    for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) visit(i + nx * (j + ny * k));
  }

  /** Register (or move) segment `id` from a to b. */
  set(id: number, ax: number, ay: number, az: number, bx: number, by: number, bz: number): void {
    this.grow(id);
    if (this.registered[id]) this.remove(id);
    const e = this.ends;
    const base = 6 * id;
    e[base] = ax;
    e[base + 1] = ay;
    e[base + 2] = az;
    e[base + 3] = bx;
    e[base + 4] = by;
    e[base + 5] = bz;
    this.registered[id] = 1;
    this.forCells(id, (c) => {
      const list = this.cells[c];
      if (list === undefined) this.cells[c] = [id];
      else list.push(id);
    });
  }

  remove(id: number): void {
    if (!this.registered[id]) return;
    this.forCells(id, (c) => {
      const list = this.cells[c]!;
      const at = list.indexOf(id);
      list[at] = list[list.length - 1];
      list.pop();
    });
    this.registered[id] = 0;
  }

  private nextStamp(): number {
    this.stampValue++;
    if (this.stampValue === 0xffffffff) {
      this.stamp.fill(0);
      this.stampValue = 1;
    }
    return this.stampValue;
  }

  /**
   * The (at least) k segments nearest to point p, or all of them if fewer exist: ids into `outIds`
   * and distances into `outDist` (unsorted). Returns the count.
   */
  nearest(px: number, py: number, pz: number, k: number, outIds: number[], outDist: number[]): number {
    outIds.length = 0;
    outDist.length = 0;
    const s = this.nextStamp();
    const h = this.cellMm;
    const ci = Math.min(this.dims[0] - 1, Math.max(0, Math.floor((px - this.originMm[0]) / h)));
    const cj = Math.min(this.dims[1] - 1, Math.max(0, Math.floor((py - this.originMm[1]) / h)));
    const ck = Math.min(this.dims[2] - 1, Math.max(0, Math.floor((pz - this.originMm[2]) / h)));
    const maxRing = Math.max(this.dims[0], this.dims[1], this.dims[2]);
    const nx = this.dims[0], ny = this.dims[1], nz = this.dims[2];
    // Distance from p to the outside of its own cell, so that after ring r every unseen segment is
    // farther than r·h + inner.
    const inner = Math.min(
      px - (this.originMm[0] + ci * h), this.originMm[0] + (ci + 1) * h - px,
      py - (this.originMm[1] + cj * h), this.originMm[1] + (cj + 1) * h - py,
      pz - (this.originMm[2] + ck * h), this.originMm[2] + (ck + 1) * h - pz,
    );
    for (let r = 0; r <= maxRing; r++) {
      for (let k = ck - r; k <= ck + r; k++) {
        if (k < 0 || k >= nz) continue;
        for (let j = cj - r; j <= cj + r; j++) {
          if (j < 0 || j >= ny) continue;
          const shell = Math.abs(k - ck) === r || Math.abs(j - cj) === r;
          for (let i = ci - r; i <= ci + r; i += shell ? 1 : 2 * r) {
            if (i >= 0 && i < nx) {
              const list = this.cells[i + nx * (j + ny * k)];
              if (list !== undefined) {
                for (let m = 0; m < list.length; m++) {
                  const id = list[m];
                  if (this.stamp[id] === s) continue;
                  this.stamp[id] = s;
                  outIds.push(id);
                  outDist.push(this.pointDistance(id, px, py, pz));
                }
              }
            }
            if (r === 0) break;
          }
        }
      }
      const certain = Math.max(0, inner + r * h);
      let within = 0;
      for (let m = 0; m < outDist.length; m++) if (outDist[m] <= certain) within++;
      if (within >= k) break;
    }
    return outIds.length;
  }

  /** All registered ids whose bounding box comes within `marginMm` of the box of segment a–b. */
  near(ax: number, ay: number, az: number, bx: number, by: number, bz: number, marginMm: number, out: number[]): number {
    out.length = 0;
    const s = this.nextStamp();
    const [i0, i1] = this.cellRange(Math.min(ax, bx) - marginMm, Math.max(ax, bx) + marginMm, 0);
    const [j0, j1] = this.cellRange(Math.min(ay, by) - marginMm, Math.max(ay, by) + marginMm, 1);
    const [k0, k1] = this.cellRange(Math.min(az, bz) - marginMm, Math.max(az, bz) + marginMm, 2);
    const nx = this.dims[0], ny = this.dims[1];
    for (let k = k0; k <= k1; k++)
      for (let j = j0; j <= j1; j++)
        for (let i = i0; i <= i1; i++) {
          const list = this.cells[i + nx * (j + ny * k)];
          if (list === undefined) continue;
          for (let m = 0; m < list.length; m++) {
            const id = list[m];
            if (this.stamp[id] === s) continue;
            this.stamp[id] = s;
            out.push(id);
          }
        }
    return out.length;
  }

  /** All endpoints: id i at [6i, 6i + 6). The array is replaced when the index grows. */
  get allEnds(): Float64Array {
    return this.ends;
  }

  /** Endpoints of a registered id. */
  endpoints(id: number): Float64Array {
    return this.ends.subarray(6 * id, 6 * id + 6);
  }

  pointDistance(id: number, px: number, py: number, pz: number): number {
    const e = this.ends;
    const b = 6 * id;
    return pointSegmentDistance(px, py, pz, e[b], e[b + 1], e[b + 2], e[b + 3], e[b + 4], e[b + 5]);
  }
}

/** Distance from point p to segment a–b, mm. */
export function pointSegmentDistance(px: number, py: number, pz: number, ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const ux = bx - ax, uy = by - ay, uz = bz - az;
  const wx = px - ax, wy = py - ay, wz = pz - az;
  const uu = ux * ux + uy * uy + uz * uz;
  let t = uu > 0 ? (wx * ux + wy * uy + wz * uz) / uu : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const dx = wx - t * ux, dy = wy - t * uy, dz = wz - t * uz;
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

/**
 * Minimum distance between segments p1–q1 and p2–q2 (closest points of two segments; Ericson,
 * Real-Time Collision Detection, 2005, §5.1.9), mm.
 */
export function segmentSegmentDistance(
  p1x: number, p1y: number, p1z: number, q1x: number, q1y: number, q1z: number,
  p2x: number, p2y: number, p2z: number, q2x: number, q2y: number, q2z: number,
  closest?: Float64Array,
): number {
  const d1x = q1x - p1x, d1y = q1y - p1y, d1z = q1z - p1z;
  const d2x = q2x - p2x, d2y = q2y - p2y, d2z = q2z - p2z;
  const rx = p1x - p2x, ry = p1y - p2y, rz = p1z - p2z;
  const a = d1x * d1x + d1y * d1y + d1z * d1z;
  const e = d2x * d2x + d2y * d2y + d2z * d2z;
  const f = d2x * rx + d2y * ry + d2z * rz;
  const EPS = 1e-18;
  let s: number, t: number;
  if (a <= EPS && e <= EPS) {
    s = 0;
    t = 0;
  } else if (a <= EPS) {
    s = 0;
    t = Math.min(1, Math.max(0, f / e));
  } else {
    const c = d1x * rx + d1y * ry + d1z * rz;
    if (e <= EPS) {
      t = 0;
      s = Math.min(1, Math.max(0, -c / a));
    } else {
      const b = d1x * d2x + d1y * d2y + d1z * d2z;
      const denom = a * e - b * b;
      s = denom > EPS * a * e ? Math.min(1, Math.max(0, (b * f - c * e) / denom)) : 0;
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = Math.min(1, Math.max(0, -c / a));
      } else if (t > 1) {
        t = 1;
        s = Math.min(1, Math.max(0, (b - c) / a));
      }
    }
  }
  if (closest !== undefined) {
    // Parameters of the closest points: p1 + s·(q1 − p1) and p2 + t·(q2 − p2).
    closest[0] = s;
    closest[1] = t;
  }
  const dx = rx + s * d1x - t * d2x, dy = ry + s * d1y - t * d2y, dz = rz + s * d1z - t * d2z;
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

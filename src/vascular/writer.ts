/**
 * A pre-order tree under construction: segments are appended parent-first (depth-first), so the
 * arrays are already in the contract's pre-order (tree.ts) when growth ends. Capacity is fixed:
 * a binary tree with N terminals has exactly 2N − 1 segments.
 */
export class TreeWriter {
  readonly capacity: number;
  count = 0;
  readonly parent: Int32Array;
  readonly child0: Int32Array;
  readonly child1: Int32Array;
  readonly generation: Int32Array;
  readonly proximalMm: Float64Array;
  readonly distalMm: Float64Array;
  /** Terminals: compartment index; −1 otherwise. */
  readonly compartment: Int32Array;
  /** Terminals: territory volume, mL. */
  readonly territoryMl: Float64Array;
  /** Terminals: demanded flow, mL/min. */
  readonly demandMlPerMin: Float64Array;
  /** 1 for segments of the optimised (CCO + named) part, 0 for the generated subtrees. */
  readonly optimised: Uint8Array;

  constructor(terminals: number) {
    const n = 2 * terminals - 1;
    this.capacity = n;
    this.parent = new Int32Array(n);
    this.child0 = new Int32Array(n).fill(-1);
    this.child1 = new Int32Array(n).fill(-1);
    this.generation = new Int32Array(n);
    this.proximalMm = new Float64Array(3 * n);
    this.distalMm = new Float64Array(3 * n);
    this.compartment = new Int32Array(n).fill(-1);
    this.territoryMl = new Float64Array(n);
    this.demandMlPerMin = new Float64Array(n);
    this.optimised = new Uint8Array(n);
  }

  /** Append a segment below `parentIndex` (−1 for the root) from its parent's distal point. */
  emit(parentIndex: number, dx: number, dy: number, dz: number, px?: number, py?: number, pz?: number): number {
    const i = this.count++;
    if (i >= this.capacity) throw new Error(`TreeWriter: more than ${this.capacity} segments`);
    this.parent[i] = parentIndex;
    if (parentIndex >= 0) {
      if (this.child0[parentIndex] < 0) this.child0[parentIndex] = i;
      else if (this.child1[parentIndex] < 0) this.child1[parentIndex] = i;
      else throw new Error(`TreeWriter: segment ${parentIndex} already has two children`);
      this.generation[i] = this.generation[parentIndex] + 1;
      const d = this.distalMm;
      this.proximalMm[3 * i] = d[3 * parentIndex];
      this.proximalMm[3 * i + 1] = d[3 * parentIndex + 1];
      this.proximalMm[3 * i + 2] = d[3 * parentIndex + 2];
    } else {
      this.proximalMm[3 * i] = px ?? 0;
      this.proximalMm[3 * i + 1] = py ?? 0;
      this.proximalMm[3 * i + 2] = pz ?? 0;
    }
    this.distalMm[3 * i] = dx;
    this.distalMm[3 * i + 1] = dy;
    this.distalMm[3 * i + 2] = dz;
    return i;
  }
}

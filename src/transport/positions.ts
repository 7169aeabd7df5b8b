/**
 * Lodging positions of the spheres, streamed in chunks so that 44 million spheres never need
 * 1 GB at once (44e6 × 3 float64 = 1.06 GB): the callback receives at most `chunkSpheres`
 * positions at a time, in a buffer it must copy if it keeps it.
 *
 * A sphere lodged in a terminal is placed uniformly in a ball of the terminal's territory volume
 * (radius (3V/4π)^(1/3)) around the terminal's distal point — the tissue it perfuses. A sphere
 * wedged at the inlet of a non-terminal vessel (size exclusion) is placed uniformly in a ball of
 * the vessel's radius around its proximal point.
 *
 * Random numbers: one stream per block of 4096 segments (key = block), consumed in segment order,
 * so positions do not depend on the chunk size.
 */
import type { ArterialTree } from "../vascular/tree.js";
import { createStream, type RandomStream } from "../random/stream.js";

const POSITIONS_STREAM_TAG = 0x50n << 56n;
const SEGMENTS_PER_STREAM = 4096;
const MM3_PER_ML = 1000;

export interface LodgedSphereChunk {
  /** xyz interleaved, mm; length 3 × count. */
  readonly positionsMm: Float64Array;
  /** Segment each sphere lodged in; length count. */
  readonly segment: Int32Array;
  readonly count: number;
}

/**
 * Call `onChunk` with the positions of every lodged sphere (per-segment counts `segmentLodged`),
 * at most `chunkSpheres` at a time, in segment order.
 */
export function forEachLodgedSphereChunk(
  tree: ArterialTree,
  segmentLodged: ArrayLike<number>,
  seed: number,
  onChunk: (chunk: LodgedSphereChunk) => void,
  chunkSpheres = 1 << 20,
): void {
  const positions = new Float64Array(3 * chunkSpheres);
  const segments = new Int32Array(chunkSpheres);
  let filled = 0;
  let stream: RandomStream | null = null;
  let streamBlock = -1;
  const flush = () => {
    if (filled === 0) return;
    onChunk({ positionsMm: positions.subarray(0, 3 * filled), segment: segments.subarray(0, filled), count: filled });
    filled = 0;
  };
  for (let j = 0; j < tree.segmentCount; j++) {
    const count = segmentLodged[j];
    if (count === 0) continue;
    const block = Math.floor(j / SEGMENTS_PER_STREAM);
    if (block !== streamBlock) {
      stream = createStream(seed, POSITIONS_STREAM_TAG + BigInt(block));
      streamBlock = block;
    }
    const s = stream as RandomStream;
    const terminal = tree.child0[j] < 0;
    const centre = terminal ? tree.distalMm : tree.proximalMm;
    const cx = centre[3 * j];
    const cy = centre[3 * j + 1];
    const cz = centre[3 * j + 2];
    const radius = terminal ? Math.cbrt((3 * tree.territoryMl[j] * MM3_PER_ML) / (4 * Math.PI)) : tree.radiusMm[j];
    for (let k = 0; k < count; k++) {
      // Uniform in the ball: rejection from the cube (acceptance π/6).
      let x: number, y: number, z: number;
      do {
        x = 2 * s.nextFloat() - 1;
        y = 2 * s.nextFloat() - 1;
        z = 2 * s.nextFloat() - 1;
      } while (x * x + y * y + z * z > 1);
      positions[3 * filled] = cx + radius * x;
      positions[3 * filled + 1] = cy + radius * y;
      positions[3 * filled + 2] = cz + radius * z;
      segments[filled] = j;
      if (++filled === chunkSpheres) flush();
    }
  }
  flush();
}

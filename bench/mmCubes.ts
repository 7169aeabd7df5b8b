/**
 * Spheres per 1 mm cube (≈ 1 mg) of normal liver, binned from every lodged sphere's position as the
 * deposit places it (clipped to each terminal's tissue, the run's sub-terminal cascade and
 * diameters; cascade leaves and wedged clusters alike): a fixed physical scale that does not
 * depend on how the cascade's leaves or the tree's vessels are defined (issue 14). Over the cubes
 * whose circumscribed ball is normal liver, empty cubes included (bench/transport-resolution.ts).
 */
import type { SimulationCase } from "../src/pipeline/caseInput.js";
import { forEachPlacedSphereChunk, runPlacement, type SimulationCore } from "../src/pipeline/core.js";
import { ballLabel } from "../src/geometry/domain.js";

export interface MmCubeStatistics {
  readonly mean: number;
  /** Relative dispersion sd / mean (sd with n − 1). */
  readonly rd: number;
  readonly percentile99: number;
  readonly largest: number;
}

export function normalMmCubes(simCase: SimulationCase, core: SimulationCore): MmCubeStatistics {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const d = core.tree.distalMm;
  for (let j = 0; j < core.tree.segmentCount; j++) for (let a = 0; a < 3; a++) {
    lo[a] = Math.min(lo[a], Math.floor(d[3 * j + a]) - 8);
    hi[a] = Math.max(hi[a], Math.ceil(d[3 * j + a]) + 8);
  }
  const nx = hi[0] - lo[0], ny = hi[1] - lo[1], nz = hi[2] - lo[2];
  const bins = new Float32Array(nx * ny * nz);
  forEachPlacedSphereChunk(core.tree, core.transport.segmentLodged, simCase.seed, runPlacement(core, simCase.domain), (chunk) => {
    const p = chunk.positionsMm;
    for (let k = 0; k < chunk.count; k++) {
      const i = Math.floor(p[3 * k] - lo[0]), jj = Math.floor(p[3 * k + 1] - lo[1]), kk = Math.floor(p[3 * k + 2] - lo[2]);
      if (i >= 0 && i < nx && jj >= 0 && jj < ny && kk >= 0 && kk < nz) bins[i + nx * (jj + ny * kk)]++;
    }
  });
  const values: number[] = [];
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (ballLabel(simCase.domain, lo[0] + i + 0.5, lo[1] + j + 0.5, lo[2] + k + 0.5, Math.sqrt(3) / 2) === 1) values.push(bins[i + nx * (j + ny * k)]);
  }
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const sorted = Float64Array.from(values).sort();
  return { mean, rd: sd / mean, percentile99: sorted[Math.floor(0.99 * (n - 1))], largest: sorted[n - 1] };
}

/**
 * Terminal sites: N points in the domain drawn with density ∝ relative perfusion (rejection
 * sampling from the bounding box), so every terminal of a compartment carries the same flow and
 * hypervascular tissue gets proportionally more arterioles; necrotic cores get none.
 *
 * Flows are then set per compartment so that compartment c receives exactly
 * Q · I_c / Σ I (I_c = ∫_c perfusion dV, from integrateDomain): the tumour flow fraction does not
 * carry the binomial noise of how many points fell in each compartment.
 */
import type { Domain } from "../geometry/domain.js";
import { compartmentOfLabel, labelAt, maxPerfusion, perfusionAt } from "../geometry/domain.js";
import type { DomainIntegral } from "../geometry/integrate.js";
import { createStream } from "../random/stream.js";

export interface TerminalSites {
  readonly count: number;
  /** Positions, mm, xyz interleaved. */
  readonly xyzMm: Float64Array;
  readonly compartment: Int32Array;
  /** Demanded flow, mL/min. */
  readonly flowMlPerMin: Float64Array;
  /** Territory volume, mL: compartment c's viable volume shared ∝ 1/perfusion. */
  readonly territoryMl: Float64Array;
}

/** Stream id of terminal sampling (stream ids of growth: see grow.ts). */
export const SAMPLING_STREAM = 1;

export function sampleTerminalSites(domain: Domain, integral: DomainIntegral, count: number, rootFlowMlPerMin: number, seed: number): TerminalSites {
  const stream = createStream(seed, SAMPLING_STREAM);
  const xyz = new Float64Array(3 * count);
  const compartment = new Int32Array(count);
  const perfusion = new Float64Array(count);
  const lo = domain.boundsMm.minMm;
  const hi = domain.boundsMm.maxMm;
  const ex = hi[0] - lo[0], ey = hi[1] - lo[1], ez = hi[2] - lo[2];
  const pMax = maxPerfusion(domain);
  let n = 0;
  let tries = 0;
  const maxTries = 1000 * count + 1_000_000;
  while (n < count) {
    if (++tries > maxTries) throw new Error("sampleTerminalSites: the domain has (almost) no perfused volume");
    const x = lo[0] + ex * stream.nextFloat();
    const y = lo[1] + ey * stream.nextFloat();
    const z = lo[2] + ez * stream.nextFloat();
    const p = perfusionAt(domain, x, y, z);
    if (p <= 0) continue;
    if (p < pMax && stream.nextFloat() * pMax >= p) continue;
    xyz[3 * n] = x;
    xyz[3 * n + 1] = y;
    xyz[3 * n + 2] = z;
    compartment[n] = compartmentOfLabel(domain, labelAt(domain, x, y, z));
    perfusion[n] = p;
    n++;
  }
  const C = integral.compartments.length;
  const perCount = new Float64Array(C);
  const inverseSum = new Float64Array(C);
  for (let i = 0; i < count; i++) {
    perCount[compartment[i]]++;
    inverseSum[compartment[i]] += 1 / perfusion[i];
  }
  // Compartments that received no terminal get no flow: renormalise over the others.
  let total = 0;
  for (let c = 0; c < C; c++) if (perCount[c] > 0) total += integral.compartments[c].perfusionIntegralMl;
  const flow = new Float64Array(count);
  const territory = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const c = compartment[i];
    flow[i] = (rootFlowMlPerMin * integral.compartments[c].perfusionIntegralMl) / total / perCount[c];
    territory[i] = (integral.compartments[c].viableVolumeMl * (1 / perfusion[i])) / inverseSum[c];
  }
  return { count, xyzMm: xyz, compartment, flowMlPerMin: flow, territoryMl: territory };
}

/**
 * How spheres divide at a bifurcation: a sphere enters child0 with probability
 * w·Q0 / (w·Q0 + Q1), Q the daughters' current flows and w the bifurcation's fixed odds
 * multiplier from the heterogeneity model (models/heterogeneity.ts; w = 1: pure flow-following,
 * probability = flow fraction). Continuous in the flows.
 *
 * Streamline noise (legacy, per batch): with concentration κ > 0 the split of a whole batch at a
 * node is drawn once from Beta(κ·p, κ·(1 − p)) around p — redrawn every batch, so its effect
 * depends on the batching; the fixed heterogeneity of the "fractal" model does not.
 */

/** Probability that a sphere at a bifurcation enters child0, given the daughters' flows and child0's odds multiplier. */
export function splitProbability0(flow0: number, flow1: number, odds0 = 1): number {
  // A daughter with no antegrade flow (plugged, or reversed by unequal outflow pressures) gets none.
  if (!(flow0 > 0)) flow0 = 0;
  if (!(flow1 > 0)) flow1 = 0;
  const total = flow0 + flow1;
  if (!(total > 0)) return flow0 === flow1 ? 0.5 : flow0 > flow1 ? 1 : 0;
  if (odds0 === 1) return flow0 / total;
  const a = odds0 * flow0;
  return a / (a + flow1);
}

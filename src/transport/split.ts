/**
 * How spheres divide at a bifurcation.
 *
 * Flow-following with bias s (Walrand et al. J Nucl Med 2014;55:135; Crookston et al. 2019 used
 * s = 0.6): a sphere enters daughter k with probability s·f_k / (s·f_k + (1 − s)·f_other), where
 * s weights the daughter with the LARGER flow (ties: child0). s = 0.5 is pure flow-following
 * (probability = flow fraction). Applying s to the major daughter rather than to a storage-order
 * child keeps the model independent of how the tree happens to be stored.
 *
 * Streamline noise: with concentration κ > 0 the split of a whole batch at a node is drawn once
 * from Beta(κ·p, κ·(1 − p)) around p (mean p, variance p(1 − p)/(κ + 1)) — the streamline pattern
 * persists for the batch, so spheres of a batch are positively correlated at each bifurcation.
 */

/** Probability that a sphere at a bifurcation enters child0, given the daughters' flows. */
export function splitProbability0(flow0: number, flow1: number, bias: number): number {
  // A daughter with no antegrade flow (plugged, or reversed by unequal outflow pressures) gets none.
  if (!(flow0 > 0)) flow0 = 0;
  if (!(flow1 > 0)) flow1 = 0;
  const total = flow0 + flow1;
  if (!(total > 0)) return flow0 === flow1 ? 0.5 : flow0 > flow1 ? 1 : 0;
  if (bias === 0.5) return flow0 / total;
  const w0 = flow0 >= flow1 ? bias : 1 - bias;
  const a = w0 * flow0;
  const b = (1 - w0) * flow1;
  return a / (a + b);
}

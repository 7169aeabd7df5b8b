import type { ArterialTree } from "../src/vascular/tree.js";

/**
 * Perfused tissue mass of every segment's subtree, mg: a terminal's territory × density, a
 * bifurcation's the sum of its daughters' (children follow their parent in pre-order, so one
 * reverse pass). Shared by the benches that compare the tree with the sub-terminal continuation.
 */
export function subtreeMassMg(tree: Pick<ArterialTree, "segmentCount" | "child0" | "child1" | "territoryMl">, densityGPerMl: number): Float64Array {
  const n = tree.segmentCount;
  const massMg = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) massMg[j] = tree.child0[j] < 0 ? tree.territoryMl[j] * 1000 * densityGPerMl : massMg[tree.child0[j]] + massMg[tree.child1[j]];
  return massMg;
}

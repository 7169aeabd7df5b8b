/**
 * "walrand-bias": at each bifurcation one daughter, chosen at random once per tree, gets odds
 * s/(1 − s) (Walrand et al. J Nucl Med 2014;55:135: 60/40 splitting on a symmetric tree, the
 * favoured side random). Continuous in the flows. Resolution-dependent by design: every
 * bifurcation adds the same variance, so the spread grows with the number of generations.
 */
import type { ArterialTree } from "../../vascular/tree.js";
import { forEachBifurcation, type HeterogeneityModel } from "./heterogeneity.js";

export function walrandOdds(tree: ArterialTree, model: HeterogeneityModel): Float64Array {
  const odds = new Float64Array(tree.segmentCount).fill(1);
  const favoured = Math.log(model.bias / (1 - model.bias));
  forEachBifurcation(tree, model.seed, (j, stream) => {
    odds[j] = Math.exp(stream.nextFloat() < 0.5 ? favoured : -favoured);
  });
  return odds;
}

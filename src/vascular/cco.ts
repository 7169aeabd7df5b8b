/** Placeholder (replaced below by the optimised growth). */
import type { Domain } from "../geometry/domain.js";
import type { Vec3 } from "../geometry/grid.js";
import type { BisectScratch } from "./bisect.js";
import { emitBisection } from "./bisect.js";
import type { TerminalSites } from "./sample.js";
import type { TreeWriter } from "./writer.js";

export function growOptimisedSegment(
  w: TreeWriter,
  _domain: Domain,
  sites: TerminalSites,
  perm: Int32Array,
  starts: Int32Array,
  scratch: BisectScratch,
  parent: number,
  rootDistal: Float64Array | null,
  _hilum: Vec3,
  options: { branchFraction: number },
  _seed: number,
  _segment: number,
): number {
  return emitBisection(w, scratch, sites, perm, starts[0], starts[starts.length - 1], parent, options.branchFraction, rootDistal);
}

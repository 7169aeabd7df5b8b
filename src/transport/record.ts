/**
 * What a transport run records as it goes and returns: the counters per compartment (then lung,
 * reflux), the timeline after each batch, and the assembled TransportResult. Shared by the walk and
 * the cascade drivers.
 */
import type { ArterialTree } from "../vascular/tree.js";
import type { ClusterHistogram } from "./clusters.js";
import type { TransportContext } from "./context.js";
import { compartmentKeys, spheresRecord, tumourToNormalRatio, type TimelinePoint, type TransportResult } from "./result.js";
import type { Resolved, TransportOptions } from "./simulate.js";

export interface Recorder {
  readonly keys: string[];
  /** Spheres per compartment, then lung, then reflux. */
  readonly counts: Float64Array;
  readonly timeline: TimelinePoint[];
  /** Append a timeline point: spheres injected so far and the entry flow now (m³/s). */
  record(spheresInjected: number, entryFlow: number): void;
}

/** Counters and timeline of a run; entry flows are reported relative to `baselineEntryFlow`. */
export function createRecorder(tree: ArterialTree, context: TransportContext, baselineEntryFlow: number): Recorder {
  const keys = compartmentKeys(tree.compartmentNames);
  const counts = new Float64Array(tree.compartmentNames.length + 2);
  const timeline: TimelinePoint[] = [];
  return {
    keys,
    counts,
    timeline,
    record(spheresInjected: number, entryFlow: number): void {
      timeline.push({
        spheresInjected,
        spheres: spheresRecord(keys, counts),
        tumourToNormalRatio: tumourToNormalRatio(counts, context.perfusedVolumeMl),
        entryFlowFraction: baselineEntryFlow > 0 ? entryFlow / baselineEntryFlow : 0,
      });
    },
  };
}

/** The run's result from its counts, clusters and bookkeeping. */
export function assembleResult(
  context: TransportContext,
  r: Resolved,
  seed: number,
  lodged: Pick<TransportResult, "terminalSegments" | "terminalCounts" | "segmentLodged">,
  recorder: Recorder,
  histogram: ClusterHistogram,
  refluxStartedAt: number | null,
  batches: number,
  options: TransportOptions,
): TransportResult {
  const tree = context.tree;
  return {
    seed,
    algorithm: r.algorithm,
    spheresInjected: r.spheres,
    spheres: spheresRecord(recorder.keys, recorder.counts),
    ...lodged,
    tumourToNormalRatio: tumourToNormalRatio(recorder.counts, context.perfusedVolumeMl),
    clusters: { distanceMm: r.clusterDistanceMm, histogram },
    stasis: refluxStartedAt !== null,
    refluxStartedAtSpheres: refluxStartedAt,
    batches,
    timeline: recorder.timeline,
    provenance: {
      model: "flow-following split times a fixed odds multiplier per bifurcation from the heterogeneity model; binomial cascade (exact BTPE/inversion binomials)",
      bias: r.bias,
      heterogeneity: r.heterogeneity,
      noiseConcentration: r.noise,
      lungShuntFraction: r.lsf,
      sizeExclusion: r.diameterUm,
      embolic: r.feedback
        ? { capacity: r.capacity, batchTolerance: r.tolerance, batchRule: r.batchRule, batchSpheres: r.batchSpheres, refluxThresholdFraction: r.refluxThreshold }
        : null,
      cutDepth: r.cutDepth,
      activityPerSphereBq: options.activityPerSphereBq ?? null,
      viscosityPaS: tree.params.viscosityPaS,
      inletPressurePa: tree.params.inletPressurePa,
    },
  };
}

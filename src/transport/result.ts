/**
 * The transport stage's output as plain data (typed arrays + small objects), what dose, report and
 * merge read. Compartment keys: "normal" (compartment 0), each tumour by name, "lung", "reflux".
 */
import type { ClusterHistogram } from "./clusters.js";

export interface TimelinePoint {
  /** Spheres injected so far. */
  readonly spheresInjected: number;
  /** Spheres so far per compartment key (normal, tumours, lung, reflux). */
  readonly spheres: Readonly<Record<string, number>>;
  readonly tumourToNormalRatio: number | null;
  /** Flow into the injected segment, fraction of its baseline. */
  readonly entryFlowFraction: number;
}

export interface TransportResult {
  readonly seed: number;
  readonly algorithm: "cascade" | "walk";
  readonly spheresInjected: number;
  /** Spheres per compartment key; the values add up to spheresInjected exactly. */
  readonly spheres: Readonly<Record<string, number>>;
  /** Terminal segment indices (pre-order) and the spheres lodged in each (same order). */
  readonly terminalSegments: Int32Array;
  readonly terminalCounts: Uint32Array;
  /** Spheres lodged in every segment (terminals included; 0 outside the injected subtree). */
  readonly segmentLodged: Uint32Array;
  /**
   * Realised tumour-to-normal sphere-concentration ratio: (spheres in all tumours / tumour volume)
   * ÷ (spheres in normal liver / normal volume), volumes perfused from the entry; null when undefined.
   */
  readonly tumourToNormalRatio: number | null;
  readonly clusters: { readonly distanceMm: number; readonly histogram: ClusterHistogram };
  /** True when the injected territory's flow fell below the reflux threshold. */
  readonly stasis: boolean;
  /** Spheres injected when reflux started, or null. */
  readonly refluxStartedAtSpheres: number | null;
  readonly batches: number;
  readonly timeline: readonly TimelinePoint[];
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** Compartment keys in result order: normal, tumours…, lung, reflux. */
export function compartmentKeys(compartmentNames: readonly string[]): string[] {
  return ["normal", ...compartmentNames.slice(1), "lung", "reflux"];
}

/** T/N from per-compartment counts (index-aligned with compartment names) and perfused volumes. */
export function tumourToNormalRatio(counts: ArrayLike<number>, volumeMl: ArrayLike<number>): number | null {
  let tumourSpheres = 0;
  let tumourVolume = 0;
  for (let k = 1; k < volumeMl.length; k++) {
    tumourSpheres += counts[k];
    tumourVolume += volumeMl[k];
  }
  const normal = counts[0] / volumeMl[0];
  if (!(tumourVolume > 0) || !(volumeMl[0] > 0) || !(normal > 0)) return null;
  return tumourSpheres / tumourVolume / normal;
}

/** Record of per-compartment counts keyed by compartment key. */
export function spheresRecord(keys: readonly string[], counts: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < keys.length; k++) out[keys[k]] = counts[k];
  return out;
}

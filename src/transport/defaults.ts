/**
 * Defaults and ranges of the transport options, written once: the case file's `transport`
 * section (config.ts, zod) and the library (simulate.ts resolveOptions) both read this table, so a
 * case that omits an option and a library call that omits it run the same transport
 * (test/transport/defaults.test.ts checks every entry).
 */

/** An allowed interval of a number option. */
export interface OptionRange {
  readonly min: number;
  readonly max: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

/** Embolic feedback (`transport.embolic`). */
export const EMBOLIC_DEFAULTS = {
  /**
   * Off unless the case asks for it (every bundled case that wants it says `"enabled": true`).
   */
  enabled: false,
  /**
   * Capacity from geometry (models/capacity.ts): plug length calibrated on resin stasis onset
   * ≈ 45,600 spheres/mL on the grown default liver at 100,000 terminals (docs/validation.md;
   * 45,400–46,600 per mL on tree seeds 7–10 with 1.24, bench/transport-capacity.ts --onset;
   * test/transport/embolicGeometry.test.ts checks seed 7).
   */
  plugLengthMm: 1.24,
  /**
   * Reference anatomy (assumption, not fitted): a lobule ≈ 1.87 mm³ ≈ 2 mg with its portal tracts
   * shared between neighbours, ≈ 1 portal tract per mg. plugLengthMm is calibrated at this value:
   * changing it moves the stasis onset (docs/transport.md "Assumptions and limits").
   */
  portalTractsPerMg: 1,
  /** Numerical overrides of the geometric capacity (null = geometry). */
  capacitySpheres: null as number | null,
  capacitySpheresPerMl: null as number | null,
  /**
   * 0.01 with batchRule "subtree": at 1.5e6 terminals of the default case its compartment shares
   * and T/N are within the seed-to-seed spread of rule "vessel" at 0.05 (the reference before
   * issue 14's scale benchmark; bench/README.md "Batch rule", bench/scale-transport.ts), and on
   * the convergence tree it is within one standard error of the per-sphere walk
   * (bench/transport-convergence.ts, docs/transport.md). Rule "vessel" was run at 0.05.
   */
  batchTolerance: 0.01,
  /**
   * What batchTolerance bounds (embolicLoad.ts): "subtree", the sphere-weighted flow drift within
   * every subtree BATCH_GROUP_DEPTH (6) generations below the entry (a batch count that does not
   * grow with the tree's resolution, nor change with cutDepth), or "vessel",
   * every vessel's own conductance change (the rule before issue 14's scale benchmark).
   */
  batchRule: "subtree" as "subtree" | "vessel",
  batchSpheres: 0,
  refluxThresholdFraction: 0.1,
} as const;

export const EMBOLIC_RANGES = {
  plugLengthMm: { min: 0, max: 1000, minOpen: true },
  portalTractsPerMg: { min: 0, max: 1000, minOpen: true },
  capacitySpheres: { min: 0, max: 1e9, minOpen: true },
  capacitySpheresPerMl: { min: 0, max: 1e9, minOpen: true },
  batchTolerance: { min: 0, max: 1, minOpen: true },
  batchSpheres: { min: 0, max: 2 ** 32 },
  refluxThresholdFraction: { min: 0, max: 1 },
} as const satisfies Record<string, OptionRange>;

/** The `transport` section's scalar options (embolic feedback above). */
export const TRANSPORT_DEFAULTS = {
  algorithm: "cascade" as "cascade" | "walk",
  bias: 0.5,
  streamlineNoiseConcentration: 0,
  lungShuntFraction: 0,
  /**
   * Work-unit cut, generations below the entry: ≤ 2^6 units per pass, enough for the pool's
   * load balance (src/parallel/transport.ts). It splits work only: results are bit-identical for
   * every cutDepth ≤ STREAM_DEPTH (9, cascade.ts) and the batch rule's groups are fixed apart
   * (BATCH_GROUP_DEPTH, embolicLoad.ts).
   */
  cutDepth: 6,
  clusterDistanceMm: 0,
  /** Without feedback the injection is cut into this many equal batches (the timeline's points). */
  timelinePoints: 10,
  /**
   * Perfusion heterogeneity model (models/heterogeneity.ts) when neither the case nor the caller
   * names one: "fractal", the physical model (RD(m) = RD(1 g)·m^(1 − D), Bassingthwaighte 1989),
   * for case files and library calls alike (issue 15: one default). A library call with the
   * legacy `bias` ≠ 0.5 still means "walrand-bias".
   */
  heterogeneityModel: "fractal" as "fractal" | "flow" | "walrand-bias",
} as const;

export const TRANSPORT_RANGES = {
  bias: { min: 0, max: 1, minOpen: true, maxOpen: true },
  streamlineNoiseConcentration: { min: 0, max: 1e12 },
  lungShuntFraction: { min: 0, max: 1 },
  cutDepth: { min: 0, max: 64 },
  clusterDistanceMm: { min: 0, max: 1000 },
  timelinePoints: { min: 1, max: 10_000 },
} as const satisfies Record<string, OptionRange>;

/**
 * Sub-terminal cascade of the "fractal" heterogeneity model (models/subTerminal.ts): a terminal's
 * territory is bisected until a piece weighs ≤ unitMassMg. 1 mg ≈ one portal tract (≈ 1 per mg of
 * liver, the resolution limit issue 14 names; also EMBOLIC_DEFAULTS.portalTractsPerMg).
 */
export const SUBTERMINAL_DEFAULTS = { unitMassMg: 1 } as const;

export const SUBTERMINAL_RANGES = {
  unitMassMg: { min: 0.1, max: 1e6 },
} as const satisfies Record<string, OptionRange>;

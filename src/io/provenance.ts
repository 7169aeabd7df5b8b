/**
 * The provenance block of a result (software version, the constants used, the seed), built from
 * plain values so that code without Node (the browser playground) can make one too; io/results.ts
 * fills in the version from package.json and the Node.js version.
 */
export interface Provenance {
  readonly software: "sirtsim";
  readonly version: string;
  /** Seed of the random streams (absent for deterministic computations). */
  readonly seed?: number;
  /** Every physical constant the result used, with its value, unit and source. */
  readonly constants: Readonly<Record<string, unknown>>;
  /** Node.js version that computed the result (or the browser, for the playground). */
  readonly node: string;
  /** ISO time of creation, only when the caller asks for it (it breaks byte-identical reruns). */
  readonly createdAt?: string;
}

/** Provenance block for a result, given the software version and the runtime. */
export function provenanceOf(options: { version: string; runtime: string; seed?: number; constants: Readonly<Record<string, unknown>>; createdAt?: Date }): Provenance {
  return {
    software: "sirtsim",
    version: options.version,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    constants: options.constants,
    node: options.runtime,
    ...(options.createdAt ? { createdAt: options.createdAt.toISOString() } : {}),
  };
}

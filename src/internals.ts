/**
 * sirtsim/internals: every module-level building block (kernels, stage internals, helpers), for
 * benchmarks, tests and experiments. No stability promise: names here may change in any release.
 * The public API is src/index.ts (`sirtsim`).
 */
export * from "./errors.js";
export * from "./physics/index.js";
export { createStream, RandomStream } from "./random/stream.js";
export { binomial } from "./random/binomial.js";
export * from "./planning/index.js";
export { parseCase, caseSchema, caseJsonSchema } from "./io/caseFile.js";
export * from "./geometry/index.js";
export * from "./vascular/index.js";
export * from "./transport/index.js";
export * from "./dose/index.js";
export * from "./io/index.js";
export { renderReport } from "./report/index.js";
export type { ReportInput, ReportAnatomy, TreeSegments, MetricsTable, SummaryItem } from "./report/index.js";
export { loadSimulationCase, compartmentsFromDomain } from "./pipeline/caseInput.js";
export type { SimulationCase } from "./pipeline/caseInput.js";
export { simulateCore, simulateCoreParallel, depositLodgedSpheres, depositLodgedSpheresParallel } from "./pipeline/simulate.js";
export type { SimulationCore } from "./pipeline/simulate.js";
export { finishSimulation } from "./pipeline/finish.js";
export type { SimulationSummary, SimulationOutputs } from "./pipeline/finish.js";
export { createPool, defaultWorkerCount } from "./parallel/pool.js";
export type { WorkerPool, PoolOptions } from "./parallel/pool.js";
export { withPool } from "./parallel/withPool.js";
export { simulateTransportParallel } from "./parallel/transport.js";
export { fftPassRunner } from "./parallel/dose.js";
export { parseShard } from "./parallel/shard.js";
export type { Shard } from "./parallel/shard.js";
export * from "./pipeline/resolveCase.js";
export { DEFAULT_SEED } from "./pipeline/caseInput.js";
export * from "./io/labelTable.js";

/** The public API of sirtsim. Only re-exports. */
export * from "./errors.js";
export * from "./physics/index.js";
export { createStream, RandomStream } from "./random/stream.js";
export * from "./planning/index.js";
export { parseCase, caseSchema, caseJsonSchema } from "./io/caseFile.js";
export * from "./geometry/index.js";
export * from "./vascular/index.js";
export * from "./dose/index.js";

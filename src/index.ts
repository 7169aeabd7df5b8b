/** The public API of sirtsim. Only re-exports. */
export * from "./errors.js";
export * from "./physics/index.js";
export { createStream, RandomStream } from "./random/stream.js";

/** Clinical treatment planning for SIRT. Pure functions of plain data; only re-exports here. */
export * from "./types.js";
export * from "./bsa.js";
export * from "./mird.js";
export * from "./partition.js";
export * from "./lung.js";
export * from "./lsf.js";
export * from "./decay.js";
export * from "./limits.js";
export * from "./advisories.js";
export * from "./plan.js";

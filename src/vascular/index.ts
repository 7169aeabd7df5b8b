/** Vascular stage: tree contract, growth, Murray sizing, hemodynamics, export, configuration. */
export * from "./tree.js";
export * from "./hemodynamics.js";
export { growTree, solveFlows, DEFAULT_GROW_OPTIONS } from "./grow.js";
export type { GrowOptions } from "./grow.js";
export { murrayRadii, murrayResidual } from "./murray.js";
export { HEPATIC_SKELETON, couinaudLabels } from "./couinaud.js";
export type { SkeletonNode } from "./couinaud.js";

/** Vascular stage: tree contract, growth, Murray sizing, hemodynamics, export, configuration. */
export * from "./tree.js";
export * from "./hemodynamics.js";
export { growTree, growTreeDetailed, solveFlows, DEFAULT_GROW_OPTIONS } from "./grow.js";
export type { GrowOptions, GrowthStats } from "./grow.js";
export { serializeTree, deserializeTree, treeToVtp, treeSummary } from "./export.js";
export type { TreeSummary } from "./export.js";
export { parseGeometrySection, parseTreeSection, geometrySchema, treeSchema } from "./config.js";
export type { TreeSection } from "./config.js";
export { buildDomain, rasterizeDomain } from "../geometry/index.js";
export { murrayRadii, murrayRadiiWithPressures, murrayResidual } from "./murray.js";
export { HEPATIC_SKELETON, couinaudLabels } from "./couinaud.js";
export type { SkeletonNode } from "./couinaud.js";
export { morphometry, strahlerOrders } from "./morphometry.js";
export type { Morphometry, OrderStats } from "./morphometry.js";
export { optimisedClearance } from "./clearance.js";
export type { ClearanceReport } from "./clearance.js";

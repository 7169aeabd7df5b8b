/** Transport stage: microsphere injection, splitting, lodging and embolic feedback. */
export { simulateTransport, transportSteps } from "./simulate.js";
export type { TransportOptions, EmbolicOptions, TransportStep } from "./simulate.js";
export { runSubtreeWork } from "./subtrees.js";
export type { SubtreeWork, SubtreeResult } from "./subtrees.js";
export { runCascadeUnit, cascadeStreamId } from "./cascade.js";
export type { CascadeArrays, CascadeUnit } from "./cascade.js";
export { runWalk } from "./walk.js";
export { spherePopulation } from "./population.js";
export type { SpherePopulation } from "./population.js";
export { splitProbability0 } from "./split.js";
export { createTransportContext } from "./context.js";
export type { TransportContext } from "./context.js";
export { createFlowState, solveSplits } from "./flowSolve.js";
export { expectedLodging, addLodged } from "./embolicLoad.js";
export type { FlowState } from "./flowSolve.js";
export { compartmentShuntFractions } from "./lung.js";
export { clusterHistogram } from "./clusters.js";
export type { ClusterHistogram } from "./clusters.js";
export { forEachLodgedSphereChunk, compartmentAcceptance, wedgeCompartments, POSITION_CHUNK_SPHERES } from "./positions.js";
export type { LodgedSphereChunk, LodgingAcceptance } from "./positions.js";
export { resolveHeterogeneity } from "./models/heterogeneity.js";
export { subTerminalModel, unresolvedExclusion } from "./models/subTerminal.js";
export { unresolvedLumenAt1MgUm, unresolvedLumenScale } from "./models/unresolvedLumen.js";
export type { SubTerminalModel } from "./models/subTerminal.js";
export { cellLattice, cellTissue, territoryCellOwners, territoryCells, territoryCellsOfOwners } from "./models/territoryCells.js";
export type { CellLattice, CellTissue, TerritoryCells } from "./models/territoryCells.js";
export { compartmentKeys, tumourToNormalRatio } from "./result.js";
export type { TransportResult, TimelinePoint } from "./result.js";
export {
  parseTransportSections,
  transportOptionsFromSections,
  entrySegmentOf,
  injectionSchema,
  transportSchema,
} from "./config.js";
export type { InjectionSection, TransportSection } from "./config.js";
export { assessResolution, autoTerminals, RESOLUTION_STUDY } from "./resolution.js";
export type { ResolutionAssessment, ResolutionBand } from "./resolution.js";

/**
 * The public API of sirtsim (`import { … } from "sirtsim"`): named exports only, grouped by stage
 * in the order of the data flow (DESIGN.md). Everything here is a contract documented in
 * README.md "Library"; internal kernels and stage helpers are in `sirtsim/internals`
 * (src/internals.ts), with no stability promise. test/api.test.ts lists these names.
 */

// Errors: every input error names its field.
export { InputError, WorkUnitError } from "./errors.js";

// Physics: nuclides, products, dose coefficients, decay.
export { NUCLIDES, Y90, HO166, PRODUCTS, PRODUCT_IDS, SIR_SPHERES, THERASPHERE, QUIREMSPHERES, doseCoefficient, derivedDoseCoefficient, activityAt, activityBefore, hoursBetween } from "./physics/index.js";
export type { Nuclide, NuclideId, MicrosphereProduct, ProductId, DoseCoefficient, DoseCoefficientConvention } from "./physics/index.js";

// Case files and planning.
export { parseCase, caseJsonSchema } from "./io/caseFile.js";
export { planTreatment } from "./planning/plan.js";
export type { PlanningCase, PlanResult, Advisory, AdvisoryLevel, PlanLimits, CompartmentResult, LungResult } from "./planning/types.js";

// One resolution of a case for every stage (what the commands use).
export { readCaseFile, resolveCase, resolvePlan, growCaseTree, needsTreeToPlan, unsafe } from "./pipeline/resolveCase.js";
export type { CaseFile, CaseOverrides, ResolvedPlan, PlanSafety } from "./pipeline/resolveCase.js";
export { loadSimulationCase, DEFAULT_SEED } from "./pipeline/caseInput.js";
export type { SimulationCase } from "./pipeline/caseInput.js";

// Geometry: grids and the liver domain.
export { buildDomain, integrateDomain, viableVolumeMl, axisAlignedGeometry, voxelToWorld, worldToVoxel, voxelVolumeMl } from "./geometry/index.js";
export type { Grid, GridData, GridGeometry, Vec3, Mat3, Domain, DomainIntegral, GeometryConfig } from "./geometry/index.js";

// Vascular tree.
export { growTree, treeSummary, serializeTree, deserializeTree, treeToVtp, DEFAULT_GROW_OPTIONS, parseGeometrySection, parseTreeSection } from "./vascular/index.js";
export type { ArterialTree, GrowOptions, TreeSummary } from "./vascular/index.js";

// Transport.
export { simulateTransport, parseTransportSections, transportOptionsFromSections, wedgeCompartments, spherePopulation } from "./transport/index.js";
export { autoTerminals } from "./transport/index.js";
export type { TransportOptions, EmbolicOptions, TransportResult, SpherePopulation, InjectionSection, TransportSection } from "./transport/index.js";

// Dose.
export { voxelSValues, doseFromActivity, localDepositionDose, activityGridFromImage, dvh, dvhCurve, doseMetrics, doseAtVolumePercent, volumeFractionAtLeast, parseDoseConfig } from "./dose/index.js";
export type { VoxelSValues, DoseResult, Dvh, DoseMetrics, DoseConfig } from "./dose/index.js";

// Files: images, DICOM, results.
export { readNifti, writeNifti, readDicomSeries, readRtStruct, readDicomSeg, writeRtDose, dvhToCsv, dvhToJson } from "./io/index.js";
export { slicerColorTable, itkSnapLabelDescriptions } from "./io/labelTable.js";

// The whole simulation.
export { simulateCore, simulateCoreParallel, depositLodgedSpheres, depositLodgedSpheresParallel } from "./pipeline/simulate.js";
export type { SimulationCore } from "./pipeline/simulate.js";
export { finishSimulation } from "./pipeline/finish.js";
export type { SimulationSummary, SimulationOutputs } from "./pipeline/finish.js";
export { renderReport } from "./report/index.js";
export type { ReportInput } from "./report/index.js";

// Worker threads and shards.
export { createPool, defaultWorkerCount } from "./parallel/pool.js";
export { withPool } from "./parallel/withPool.js";
export { simulateTransportParallel } from "./parallel/transport.js";
export { parseShard } from "./parallel/shard.js";
export type { WorkerPool, PoolOptions } from "./parallel/pool.js";
export type { Shard } from "./parallel/shard.js";

/**
 * The public API is a contract (issue 15.7): `sirtsim` exports exactly the names below (a change
 * here is an API change, to be made on purpose and documented in README.md "Library"); internal
 * kernels are reachable only through the documented `sirtsim/internals` subpath. Resolved through
 * package.json "exports" by a real Node process (dist/, built by `npm test`'s pretest).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));

/** Runtime names of a package specifier, as Node resolves it from the package root. */
function namesOf(specifier: string): string[] {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`], { cwd: root, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

const PUBLIC = [
  "DEFAULT_GROW_OPTIONS", "DEFAULT_SEED", "HO166", "InputError", "NUCLIDES", "PRODUCTS", "PRODUCT_IDS", "QUIREMSPHERES", "SIR_SPHERES", "THERASPHERE", "WorkUnitError", "Y90",
  "activityAt", "activityBefore", "activityGridFromImage", "autoTerminals", "axisAlignedGeometry", "buildDomain", "caseJsonSchema", "createPool", "defaultWorkerCount",
  "depositLodgedSpheres", "depositLodgedSpheresParallel", "derivedDoseCoefficient", "deserializeTree", "doseAtVolumePercent", "doseCoefficient", "doseFromActivity",
  "doseMetrics", "dvh", "dvhCurve", "dvhToCsv", "dvhToJson", "finishSimulation", "growCaseTree", "growTree", "hoursBetween", "integrateDomain", "itkSnapLabelDescriptions",
  "loadSimulationCase", "localDepositionDose", "needsTreeToPlan", "parseCase", "parseDoseConfig", "parseGeometrySection", "parseShard", "parseTransportSections",
  "parseTreeSection", "planTreatment", "readCaseFile", "readDicomSeg", "readDicomSeries", "readNifti", "readRtStruct", "renderReport", "resolveCase", "resolvePlan",
  "serializeTree", "simulateCore", "simulateCoreParallel", "simulateTransport", "simulateTransportParallel", "slicerColorTable", "spherePopulation",
  "transportOptionsFromSections", "treeSummary", "treeToVtp", "unsafe", "volumeFractionAtLeast", "voxelSValues", "viableVolumeMl", "voxelToWorld", "voxelVolumeMl", "wedgeCompartments", "withPool",
  "worldToVoxel", "writeNifti", "writeRtDose",
].sort();

describe("the public API", () => {
  it('`import … from "sirtsim"` gives exactly the documented names', () => {
    expect(namesOf("sirtsim")).toEqual(PUBLIC);
  });

  it("internal kernels are only in sirtsim/internals, which also holds every public name", () => {
    const internals = new Set(namesOf("sirtsim/internals"));
    for (const kernel of ["runCascadeUnit", "solveFlows", "convolveRows", "createFftContext", "murrayRadii"]) {
      expect(internals.has(kernel), kernel).toBe(true);
      expect(PUBLIC).not.toContain(kernel);
    }
    expect(PUBLIC.filter((n) => !internals.has(n))).toEqual([]);
  });
});

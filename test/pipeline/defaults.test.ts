/**
 * Unit test (true by construction once both sides read one table; it fails the day someone writes
 * a default in one place only): the defaults a case file gets from the zod schemas equal the
 * defaults the library applies when an option is omitted, for every field of the transport,
 * embolic and tree tables. Issue 15.1.
 */
import { describe, expect, it } from "vitest";
import { transportSchema, injectionSchema } from "../../src/transport/config.js";
import { EMBOLIC_DEFAULTS, TRANSPORT_DEFAULTS, TRANSPORT_RANGES } from "../../src/transport/defaults.js";
import { resolveOptions } from "../../src/transport/simulate.js";
import { treeSchema } from "../../src/vascular/config.js";
import { DEFAULT_GROW_OPTIONS, TERMINALS_RANGE } from "../../src/vascular/grow.js";
import { buildSyntheticTree } from "../transport/helpers/syntheticTree.js";

describe("schema defaults = library defaults", () => {
  const tree = buildSyntheticTree({ terminals: 8, seed: 1 });
  const library = resolveOptions(tree, { spheres: 1 });
  const schema = transportSchema.parse({});

  it("transport: every option omitted from a case runs as the library runs it omitted", () => {
    // Field names differ between the case file and the library's resolved options.
    const pairs: [string, unknown, unknown][] = [
      ["algorithm", schema.algorithm, library.algorithm],
      ["bias", schema.bias, library.bias],
      ["streamlineNoiseConcentration", schema.streamlineNoiseConcentration, library.noise],
      ["cutDepth", schema.cutDepth, library.cutDepth],
      ["clusterDistanceMm", schema.clusterDistanceMm, library.clusterDistanceMm],
      ["timelinePoints", schema.timelinePoints, library.timelinePoints],
      ["lungShuntFraction", injectionSchema.parse({}).lungShuntFraction, library.lsf],
      // One default model for case files and library calls (issue 15: was "fractal" vs "flow").
      ["heterogeneityModel", schema.heterogeneity.model, library.heterogeneity.model],
    ];
    for (const [field, fromSchema, fromLibrary] of pairs) expect(fromSchema, field).toEqual(fromLibrary);
    // Every entry of the table is covered by a pair above.
    expect(Object.keys(TRANSPORT_DEFAULTS).sort()).toEqual(pairs.map(([f]) => f).sort());
  });

  it("embolic: every field of the table, schema and library", () => {
    const pairs: [keyof typeof EMBOLIC_DEFAULTS, unknown, unknown][] = [
      ["enabled", schema.embolic.enabled, library.feedback],
      ["plugLengthMm", schema.embolic.plugLengthMm, library.capacity.plugLengthMm],
      ["portalTractsPerMg", schema.embolic.portalTractsPerMg, library.capacity.portalTractsPerMg],
      ["capacitySpheres", schema.embolic.capacitySpheres, library.capacity.perVesselSpheres],
      ["capacitySpheresPerMl", schema.embolic.capacitySpheresPerMl, library.capacity.terminalOverride ? library.capacity.terminalSpheresPerMl : null],
      ["batchTolerance", schema.embolic.batchTolerance, library.tolerance],
      ["batchRule", schema.embolic.batchRule, library.batchRule],
      ["batchSpheres", schema.embolic.batchSpheres, library.batchSpheres],
      ["refluxThresholdFraction", schema.embolic.refluxThresholdFraction, library.refluxThreshold],
    ];
    for (const [field, fromSchema, fromLibrary] of pairs) {
      expect(fromSchema, field).toEqual(fromLibrary);
      expect(fromSchema, field).toEqual(EMBOLIC_DEFAULTS[field]);
    }
    expect(Object.keys(EMBOLIC_DEFAULTS).sort()).toEqual(pairs.map(([f]) => f).sort());
  });

  it("tree: the schema's defaults are DEFAULT_GROW_OPTIONS, and terminals share one range", () => {
    const parsed = treeSchema.parse({}) as Record<string, unknown>;
    // Every field but terminals and rootFlowMlPerMin: the schema's default is "auto" (the case's
    // liver over RESOLUTION_STUDY.autoMg, pipeline/caseInput.ts; 400 mL/min scaled by the liver's
    // volume, vascular/grow.ts autoRootFlowMlPerMin); the library's growTree keeps numbers.
    const auto = new Set(["terminals", "rootFlowMlPerMin"]);
    for (const [field, value] of Object.entries(DEFAULT_GROW_OPTIONS)) expect(parsed[field], field).toEqual(auto.has(field) ? "auto" : value);
    // The library keeps the reference inflow, 400 mL/min (what "auto" gives the default liver: test/pipeline/cases.test.ts).
    expect(DEFAULT_GROW_OPTIONS.rootFlowMlPerMin).toBe(400);
    expect(treeSchema.safeParse({ terminals: TERMINALS_RANGE.max }).success).toBe(true);
    expect(treeSchema.safeParse({ terminals: TERMINALS_RANGE.max + 1 }).success).toBe(false);
    expect(treeSchema.safeParse({ terminals: TERMINALS_RANGE.min - 1 }).success).toBe(false);
  });

  it("ranges: the schema refuses what the library refuses", () => {
    expect(transportSchema.safeParse({ timelinePoints: TRANSPORT_RANGES.timelinePoints.max + 1 }).success).toBe(false);
    expect(() => resolveOptions(tree, { spheres: 1, timelinePoints: TRANSPORT_RANGES.timelinePoints.max + 1 })).toThrow(/timelinePoints/);
    expect(transportSchema.safeParse({ bias: TRANSPORT_RANGES.bias.max }).success).toBe(false);
    expect(() => resolveOptions(tree, { spheres: 1, bias: TRANSPORT_RANGES.bias.max })).toThrow(/bias/);
  });
});

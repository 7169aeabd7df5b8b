/**
 * The study file (JSON): a base case, the case fields to vary, replicas per cell, the metrics to
 * tabulate. Validated with zod; every error names the study file and the field path
 * (`study.json: vary[0].range.steps: …`), and nothing is written before the whole study —
 * including every cell's resolved case — has been checked (src/study/plan.ts).
 *
 * ```json
 * { "name": "T/N sweep",
 *   "case": "../fixtures/cases/net-default.json",
 *   "set": { "tree.terminals": 20000 },
 *   "vary": [ { "path": "geometry.tumours[1].tnRatio", "values": [2, 4, 6, 8] },
 *             { "path": "lungShuntFraction", "range": { "from": 0.02, "to": 0.1, "steps": 3 } },
 *             { "zip": [ { "path": "a", "values": [1, 2] }, { "path": "b", "values": [3, 4] } ] } ],
 *   "replicas": { "trees": 5, "seeds": 2 },
 *   "metrics": ["meanDoseGy", "D70Gy", "V100", "lung.meanDoseGy"] }
 * ```
 */
import { z } from "zod";
import { InputError } from "../errors.js";
import { METRIC_NAMES } from "./metrics.js";

const valuesAxisSchema = z
  .object({
    path: z.string().min(1).describe("case field, dotted with [index]: geometry.tumours[0].tnRatio"),
    values: z.array(z.unknown()).min(1, { message: "must list at least one value" }).describe("the values the field takes"),
  })
  .strict();

const rangeAxisSchema = z
  .object({
    path: z.string().min(1),
    range: z
      .object({
        from: z.number().describe("first value"),
        to: z.number().describe("last value"),
        steps: z.number().int().min(1, { message: "must be ≥ 1 (an empty range has no values)" }).describe("number of values, evenly spaced from `from` to `to` inclusive"),
        scale: z.enum(["linear", "log"]).default("linear").describe("linear or logarithmic spacing"),
      })
      .strict(),
  })
  .strict();

const singleAxisSchema = z.union([valuesAxisSchema, rangeAxisSchema]);

const zipAxisSchema = z
  .object({ zip: z.array(singleAxisSchema).min(2, { message: "must pair at least two fields" }).describe("fields varied together: value i of each") })
  .strict();

export const studySchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    case: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).describe("base case: a path relative to the study file, or the case inline"),
    set: z.record(z.string(), z.unknown()).default({}).describe("fields set on the base case for every run (path → value)"),
    vary: z.array(z.union([valuesAxisSchema, rangeAxisSchema, zipAxisSchema])).default([]).describe("axes of the grid; cells are their cartesian product"),
    replicas: z
      .object({
        trees: z.number().int().min(1, { message: "must be ≥ 1 (zero replicas run nothing)" }).default(1).describe("trees per cell: tree seeds tree.seed, tree.seed+1, …"),
        seeds: z.number().int().min(1, { message: "must be ≥ 1 (zero replicas run nothing)" }).default(1).describe("transport seeds per tree: seed, seed+1, …"),
      })
      .strict()
      .default({ trees: 1, seeds: 1 }),
    metrics: z
      .array(z.string().refine((m) => (METRIC_NAMES as readonly string[]).includes(m), { message: `unknown metric; allowed: ${METRIC_NAMES.join(", ")}` }))
      .min(1)
      .optional()
      .describe("metrics in the tables (default: all)"),
  })
  .strict();

export type StudyFile = z.output<typeof studySchema>;
export type StudyAxisSpec = StudyFile["vary"][number];

/** Validate a parsed study file; InputError naming `file` and the field path. */
export function parseStudyFile(json: unknown, file: string): StudyFile {
  // An axis with two of values / range / zip (or none) fails every branch of the union, whose
  // message is only "Invalid input" (a review): say which keys conflict.
  const vary = (json as { vary?: unknown } | null)?.vary;
  if (Array.isArray(vary)) {
    const check = (axis: unknown, path: string) => {
      if (axis === null || typeof axis !== "object" || Array.isArray(axis)) return;
      const kinds = ["values", "range", "zip"].filter((k) => k in axis);
      if (kinds.length > 1) throw studyError(file, path, `give one of values, range or zip, not ${kinds.join(" and ")}`);
      if (kinds.length === 0) throw studyError(file, path, "needs values, range or zip");
      const zip = (axis as { zip?: unknown }).zip;
      if (Array.isArray(zip)) zip.forEach((a, j) => check(a, `${path}.zip[${j}]`));
    };
    vary.forEach((axis, i) => check(axis, `vary[${i}]`));
  }
  const result = studySchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("") || "(top level)";
  throw studyError(file, path, issue.message);
}

/** An input error in a study file: `study.json: vary[0].path: message`. */
export function studyError(file: string, path: string, message: string): InputError {
  return new InputError(path, `${path}: ${message} (study file ${file})`);
}

/**
 * A study expanded into its runs: cells (the cartesian product of the `vary` axes, zipped fields
 * moving together) × trees × seeds. Each run is a resolved case document, named by the SHA-256 of
 * its resolved identity (caseIdentity in src/pipeline/stageFiles.ts: validated sections with their
 * defaults, the mask by content, not path) together with the sirtsim version: a re-run recognises
 * the runs it already finished, two cells that resolve to the same case share one run, and a run
 * finished by another sirtsim version or on another mask is not mistaken for this one.
 *
 * Every cell's case is validated here, before anything is written or grown, by the same functions
 * a simulation uses (loadSimulationCase, planning, the transport sections), so an unknown field path
 * or an out-of-range value exits 2 naming the study field.
 */
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.js";
import type { Grid } from "../geometry/index.js";
import { planTreatment } from "../planning/index.js";
import { loadSimulationCase } from "../pipeline/caseInput.js";
import { canonicalJson, caseIdentity, sha256 } from "../pipeline/stageFiles.js";
import type { SimulationCase } from "../pipeline/caseInput.js";
import { resolveTransportSections } from "../pipeline/simulate.js";
import { sirtsimVersion } from "../io/results.js";
import { fieldValue, parseFieldPath, pathText, withFieldValue, type PathSegment } from "./fieldPath.js";
import { studyError, type StudyAxisSpec, type StudyFile } from "./studyFile.js";

/** One varied field of an axis. */
export interface StudyParameter {
  /** The path as written, e.g. "geometry.tumours[0].tnRatio". */
  readonly path: string;
  /** Study field that declared it, for errors: "vary[0]" or "vary[1].zip[0]". */
  readonly field: string;
}

export interface StudyCell {
  readonly index: number;
  /** Value of every varied field (by path) in this cell. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface StudyRun {
  /** Position in the study (cell-major, then tree, then seed): the row order of the tables. */
  readonly index: number;
  /** SHA-256 of the run's resolved case identity (mask by content) and the sirtsim version. */
  readonly id: string;
  readonly cell: number;
  readonly treeIndex: number;
  readonly seedIndex: number;
  readonly treeSeed: number;
  readonly seed: number;
  /** Runs with the same tree key grow the same tree (geometry with the mask by content, tree section with its seed, sirtsim version). */
  readonly treeKey: string;
}

/** The expanded study, written to DIR/plan.json; everything an executor or `collect` needs. */
export interface StudyPlan {
  readonly kind: "sirtsim-study-plan";
  /** The sirtsim that expanded the plan (run ids and tree keys depend on it). */
  readonly sirtsimVersion: string;
  readonly name: string;
  readonly description: string;
  /** Absolute path of the base case file (masks resolve against it), or of the study file for an inline case. */
  readonly casePath: string;
  readonly parameters: readonly StudyParameter[];
  readonly replicas: { readonly trees: number; readonly seeds: number };
  readonly metrics: readonly string[] | null;
  readonly cells: readonly StudyCell[];
  readonly runs: readonly StudyRun[];
  /** Resolved case of each cell, seeds left to the run (`seed`, `tree.seed` set per run). */
  readonly cellCases: ReadonlyArray<Record<string, unknown>>;
}

interface Axis {
  readonly parameters: ReadonlyArray<StudyParameter & { readonly segments: PathSegment[] }>;
  /** values[step][parameter] */
  readonly values: ReadonlyArray<readonly unknown[]>;
}

/** The values of one non-zipped axis. */
function axisValues(spec: Exclude<StudyAxisSpec, { zip: unknown }>): unknown[] {
  if ("values" in spec) return spec.values;
  const { from, to, steps, scale } = spec.range;
  if (steps === 1) return [from];
  if (scale === "log" && !(from > 0 && to > 0)) throw new InputError("range", "range.from and range.to must be > 0 for scale \"log\"");
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const f = i / (steps - 1);
    out.push(i === steps - 1 ? to : scale === "log" ? from * Math.pow(to / from, f) : from + f * (to - from));
  }
  return out;
}

function buildAxes(study: StudyFile, file: string): Axis[] {
  const seen = new Set<string>();
  const param = (path: string, field: string) => {
    const segments = parseFieldPath(path, `${field}.path`);
    const text = pathText(segments);
    if (text === "seed" || text === "tree.seed") throw studyError(file, `${field}.path`, `"${path}" is set per run by replicas.seeds / replicas.trees; vary it there`);
    if (seen.has(text)) throw studyError(file, `${field}.path`, `"${path}" is varied twice`);
    seen.add(text);
    return { path, field, segments };
  };
  return study.vary.map((spec, a) => {
    const field = `vary[${a}]`;
    const members = "zip" in spec ? spec.zip.map((m, k) => ({ spec: m, field: `${field}.zip[${k}]` })) : [{ spec, field }];
    const parameters = members.map((m) => param(m.spec.path, m.field));
    const columns = members.map((m) => {
      try {
        return axisValues(m.spec);
      } catch (err) {
        if (err instanceof InputError) throw studyError(file, `${m.field}.range`, err.message);
        throw err;
      }
    });
    const length = columns[0].length;
    columns.forEach((c, k) => {
      if (c.length !== length) throw studyError(file, `${members[k].field}`, `a zipped field must have as many values as the first (${length}), got ${c.length}`);
    });
    return { parameters, values: Array.from({ length }, (_, i) => columns.map((c) => c[i])) };
  });
}

export interface PlanInputs {
  readonly study: StudyFile;
  /** Study file path as the user gave it (for messages). */
  readonly studyFile: string;
  /** The base case document (read from `case` or inline). */
  readonly baseCase: Record<string, unknown>;
  /** Absolute path the case's relative files resolve against. */
  readonly casePath: string;
  /** The label image of `geometry.mask.file`, if the case has one. */
  readonly maskGrid?: Grid<Uint8Array>;
}

/** Expand and validate a study; throws InputError (naming the study field) before any work. */
export function planStudy(inputs: PlanInputs): StudyPlan {
  try {
    return expandStudy(inputs);
  } catch (err) {
    // Errors raised below a study field (field paths, case validation) name the study file too.
    if (err instanceof InputError && !err.message.includes("(study file ")) throw studyError(inputs.studyFile, err.field, err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message);
    throw err;
  }
}

function expandStudy(inputs: PlanInputs): StudyPlan {
  const { study, studyFile: file } = inputs;
  let base = inputs.baseCase;
  for (const [path, value] of Object.entries(study.set)) {
    const field = `set.${path}`;
    base = withFieldValue(base, parseFieldPath(path, field), value, field);
  }
  const axes = buildAxes(study, file);
  const maskFile = fieldValue(inputs.baseCase, MASK_FILE);
  checkSameMask(base, maskFile, inputs, axes, "case");
  const validated = validateCase(base, file, inputs, "case", axes);
  const treeSeed0 = validated.treeSeed;
  const seed0 = validated.seed;

  const cells: StudyCell[] = [];
  const cellCases: Array<Record<string, unknown>> = [];
  const cellSimCases: SimulationCase[] = [];
  const counts = axes.map((a) => a.values.length);
  const cellCount = counts.reduce((p, c) => p * c, 1);
  for (let c = 0; c < cellCount; c++) {
    // Last axis fastest, like nested loops in the order the axes are written.
    let rest = c;
    const steps = counts.map(() => 0);
    for (let a = axes.length - 1; a >= 0; a--) {
      steps[a] = rest % counts[a];
      rest = Math.floor(rest / counts[a]);
    }
    let doc = base;
    const parameters: Record<string, unknown> = {};
    axes.forEach((axis, a) =>
      axis.parameters.forEach((p, k) => {
        const value = axis.values[steps[a]][k];
        doc = withFieldValue(doc, p.segments, value, `${p.field}.path`);
        parameters[p.path] = value;
      }),
    );
    checkSameMask(doc, maskFile, inputs, axes, `cell ${c} (${describe(parameters)})`);
    const cellSim = c > 0 || axes.length > 0 ? validateCase(doc, file, inputs, `cell ${c} (${describe(parameters)})`, axes).simCase : validated.simCase;
    cellSimCases.push(cellSim);
    cells.push({ index: c, parameters });
    cellCases.push(doc);
  }

  const version = sirtsimVersion();
  const runs: StudyRun[] = [];
  for (const cell of cells) {
    const cellSim = cellSimCases[cell.index];
    for (let t = 0; t < study.replicas.trees; t++) {
      const treeSeed = (treeSeed0 + t) >>> 0;
      const tree = { ...cellSim.tree, seed: treeSeed };
      // The identity of the resolved run, as `simulate` records it in its stage files.
      const identityOf = (seed: number) => caseIdentity({ ...cellSim, tree, seed }, inputs.maskGrid);
      const treeKey = sha256(canonicalJson({ sirtsimVersion: version, tree: identityOf(seed0).treeInputs }));
      for (let s = 0; s < study.replicas.seeds; s++) {
        const seed = (seed0 + s) >>> 0;
        const id = sha256(canonicalJson({ sirtsimVersion: version, caseSha256: identityOf(seed).caseSha256 }));
        runs.push({ index: runs.length, id, cell: cell.index, treeIndex: t, seedIndex: s, treeSeed, seed, treeKey });
      }
    }
  }
  return {
    kind: "sirtsim-study-plan",
    sirtsimVersion: version,
    name: study.name ?? (typeof base.name === "string" ? base.name : "study"),
    description: study.description ?? "",
    casePath: inputs.casePath,
    parameters: axes.flatMap((a) => a.parameters.map((p) => ({ path: p.path, field: p.field }))),
    replicas: { trees: study.replicas.trees, seeds: study.replicas.seeds },
    metrics: study.metrics ?? null,
    cells,
    runs,
    cellCases,
  };
}

/** The resolved case of a run: its cell's case with the run's seeds. */
export function runCase(plan: StudyPlan, run: StudyRun): Record<string, unknown> {
  const doc = plan.cellCases[run.cell];
  return { ...withFieldValue(doc, ["tree", "seed"], run.treeSeed, "tree.seed"), seed: run.seed };
}

const MASK_FILE: readonly PathSegment[] = ["geometry", "mask", "file"];

/**
 * Every run of a study uses one label image: the base case's `geometry.mask.file`, read once by
 * `loadStudyPlan` and again by each executor from cell 0. A `set` or `vary` that changes the mask
 * file would silently simulate every cell on the base case's mask, so it is refused (exit 2 naming
 * the field); other geometry fields (tumour sizes, T/N, labels of the same image) are per cell.
 */
function checkSameMask(doc: Record<string, unknown>, maskFile: unknown, inputs: PlanInputs, axes: readonly Axis[], what: string): void {
  const file = fieldValue(doc, MASK_FILE);
  if (file === maskFile) return;
  const maskPath = pathText(MASK_FILE);
  const touches = (text: string) => maskPath.startsWith(text) || text.startsWith(maskPath);
  const message = `${what} has geometry.mask.file ${JSON.stringify(file)}, the base case ${JSON.stringify(maskFile)}: a study reads one mask image for all its runs, so it cannot change the mask file (run one study per mask)`;
  for (const path of Object.keys(inputs.study.set)) if (touches(pathText(parseFieldPath(path, `set.${path}`)))) throw studyError(inputs.studyFile, `set.${path}`, message);
  for (const axis of axes) for (const p of axis.parameters) if (touches(pathText(p.segments))) throw studyError(inputs.studyFile, `${p.field}.path`, `"${p.path}": ${message}`);
  throw studyError(inputs.studyFile, "case", message);
}

function describe(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(", ");
}

/**
 * Validate a resolved case as a simulation would (planning, geometry, tree, dose, transport
 * sections); an error is re-attributed to the varied field whose path it concerns.
 */
function validateCase(doc: Record<string, unknown>, file: string, inputs: PlanInputs, what: string, axes: readonly Axis[]): { seed: number; treeSeed: number; simCase: SimulationCase } {
  try {
    const simCase = loadSimulationCase(doc, inputs.casePath, inputs.maskGrid);
    const plan = planTreatment(simCase.planning);
    resolveTransportSections(simCase, plan);
    return { seed: simCase.seed, treeSeed: simCase.tree.seed, simCase };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    for (const axis of axes) {
      for (const p of axis.parameters) {
        const text = pathText(p.segments);
        if (text.startsWith(err.field) || err.field.startsWith(text)) {
          const known = fieldValue(doc, p.segments) !== undefined;
          throw studyError(file, `${p.field}.path`, `"${p.path}" in ${what}: ${err.message}${known ? "" : " (no such case field)"}`);
        }
      }
    }
    for (const path of Object.keys(inputs.study.set)) {
      if (path.startsWith(err.field) || err.field.startsWith(path)) throw studyError(file, `set.${path}`, err.message);
    }
    throw studyError(file, "case", `${what}: ${err.message}`);
  }
}

/** The directory relative case paths resolve against. */
export function caseBaseDir(plan: StudyPlan): string {
  return dirname(resolve(plan.casePath));
}

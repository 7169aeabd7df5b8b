/**
 * One resolution of a case for every command (DESIGN.md "One case, one story"): `plan`, `tree`,
 * `transport` and `simulate` read the case file here, apply the command-line overrides here, and
 * get the activity, lung shunt fraction, seed and defaults from here, so they cannot disagree.
 *
 * - The seed of the transport and lodging positions is the case's `seed` (default DEFAULT_SEED);
 *   the tree has its own `tree.seed`.
 * - The injected activity is the plan's delivered activity after the limits: when the planned
 *   activity exceeds the largest activity within every limit (planning/limits.ts), the case is
 *   re-planned forward at that activity and an ACTIVITY_LIMITED advisory names the limit that
 *   bound. A physicist lowers the activity to the binding limit; sirtsim does the same and says so.
 * - A case without planning fields (no `method`) is a transport-only case: `transport` injects the
 *   `injection` section as given; `plan` and `simulate` refuse it (method is required).
 */
import { readFile } from "node:fs/promises";
import { InputError } from "../errors.js";
import { buildDomain, integrateDomain } from "../geometry/index.js";
import type { Grid } from "../geometry/index.js";
import { parseGeometrySection, parseTreeSection } from "../vascular/config.js";
import { planTreatment } from "../planning/plan.js";
import type { Advisory, PlanResult, PlanningCase } from "../planning/types.js";
import { growTree } from "../vascular/grow.js";
import type { ArterialTree } from "../vascular/tree.js";
import { entrySegmentOf } from "../transport/config.js";
import { parseCase } from "../io/caseFile.js";
import { sirtsimVersion } from "../io/results.js";
import { loadSimulationCase } from "./caseInput.js";
import type { SimulationCase } from "./caseInput.js";
import { readCaseMask } from "./files.js";
import { maskSha256 } from "./stageFiles.js";
import { isWholeTree, territoryCompartments } from "./perfused.js";

/** Command-line values that replace the case's (validated by the case's own schema). */
export interface CaseOverrides {
  /** Seed of the transport and lodging positions (`seed`). */
  readonly seed?: number;
  /** Seed of the tree growth (`tree.seed`). */
  readonly treeSeed?: number;
  /** Number of terminals of the tree (`tree.terminals`). */
  readonly terminals?: number;
}

/** A case file as read from disk: its JSON object and the label image of `geometry.mask`. */
export interface CaseFile {
  readonly path: string;
  readonly json: Record<string, unknown>;
  readonly mask?: Grid<Uint8Array>;
}

/** Read a case file (and its mask image); unreadable, malformed or non-object files are input errors. */
export async function readCaseFile(path: string): Promise<CaseFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new InputError(path, `${path}: cannot read the case file${code ? ` (${code})` : ""}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(path, `${path}: not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new InputError(path, `${path}: a case file must be a JSON object`);
  const mask = await readCaseMask(json, path);
  return { path, json: json as Record<string, unknown>, ...(mask ? { mask: mask.grid } : {}) };
}

/** The case JSON with the overrides written into it (a copy; the tree section is copied too). */
export function withOverrides(json: Readonly<Record<string, unknown>>, o: CaseOverrides = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...json };
  if (o.seed !== undefined) out.seed = o.seed;
  if (o.treeSeed !== undefined || o.terminals !== undefined) {
    const tree = json.tree !== null && typeof json.tree === "object" && !Array.isArray(json.tree) ? { ...(json.tree as Record<string, unknown>) } : {};
    if (o.treeSeed !== undefined) tree.seed = o.treeSeed;
    if (o.terminals !== undefined) tree.terminals = o.terminals;
    out.tree = tree;
  }
  return out;
}

/** True when the case has planning fields (its activity comes from a plan). */
export function isPlannedCase(json: Readonly<Record<string, unknown>>): boolean {
  return json.method !== undefined;
}

/** Validate a planned case with the overrides applied: every section, with its defaults. */
export function resolveCase(file: CaseFile, overrides: CaseOverrides = {}): SimulationCase {
  return loadSimulationCase(withOverrides(file.json, overrides), file.path, file.mask);
}

/** The case's tree, grown as every command grows it. */
export function growCaseTree(simCase: SimulationCase): ArterialTree {
  return growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
}

const WHOLE_LIVER_ENTRIES = new Set<unknown>([undefined, "root", "proper-hepatic", 0]);

function entryPointOf(simCase: SimulationCase): string | number {
  return ((simCase.injectionSection ?? {}) as { entryPoint?: string | number }).entryPoint ?? "root";
}

/**
 * True when the plan depends on the tree: compartments derived from the geometry and a selective
 * injection, planned on the injected subtree's territory.
 */
export function needsTreeToPlan(simCase: SimulationCase): boolean {
  return simCase.compartmentsFromGeometry && !WHOLE_LIVER_ENTRIES.has(entryPointOf(simCase));
}

/** The plan of a case as every command uses it. */
export interface ResolvedPlan {
  /** The plan at the activity injected (re-planned forward at the limit when a limit bound). */
  readonly plan: PlanResult;
  /** The planning case of `plan` (the case's, or re-derived on a selective injection's territory). */
  readonly planning: PlanningCase;
  /** The injected segment, when the tree was known. */
  readonly entrySegment: number | null;
  readonly safety: PlanSafety;
}

/** What a physicist must see before treating: on the terminal, in `--json`, in summary.json. */
export interface PlanSafety {
  /** Every limit of the plan as injected is respected. */
  readonly withinLimits: boolean;
  /** The activity the target or method asked for, GBq. */
  readonly plannedActivityGBq: number;
  /** The activity injected (delivered), GBq: the planned one, or the largest within every limit. */
  readonly activityGBq: number;
  /** The limit that lowered the activity (a constraint name of plan.limits), or null. */
  readonly limitedBy: string | null;
  /** Codes of the contraindications that remain. */
  readonly contraindications: readonly string[];
  /** Names of the limits the injected plan exceeds. */
  readonly exceededLimits: readonly string[];
  readonly advisories: readonly Advisory[];
}

/** The safety block of `plan` (the plan as injected; `plannedActivityGBq` before any limit). */
export function planSafety(plan: PlanResult, plannedActivityGBq = plan.activityGBq, limitedBy: string | null = null): PlanSafety {
  return {
    withinLimits: plan.limits.withinLimits,
    plannedActivityGBq,
    activityGBq: plan.activityGBq,
    limitedBy,
    contraindications: plan.advisories.filter((a) => a.level === "contraindication").map((a) => a.code),
    exceededLimits: Object.entries(plan.limits.constraints)
      .filter(([, c]) => !c.satisfied)
      .map(([name]) => name),
    advisories: plan.advisories,
  };
}

/** `--strict`: a contraindication or an exceeded limit remains. */
export function unsafe(s: PlanSafety): boolean {
  return s.contraindications.length > 0 || s.exceededLimits.length > 0;
}

/** Relative tolerance of "above the limit" (round-off of a plan computed from the limit). */
const ROUND_OFF = 1e-12;

/**
 * Plan the case. A selective injection of a geometry-derived case needs the tree (its territory is
 * planned); other cases ignore `tree`.
 */
export function resolvePlan(simCase: SimulationCase, tree?: ArterialTree): ResolvedPlan {
  let planning = simCase.planning;
  let entrySegment: number | null = null;
  if (tree !== undefined) entrySegment = entrySegmentOf(tree, entryPointOf(simCase));
  if (needsTreeToPlan(simCase)) {
    if (tree === undefined || entrySegment === null) throw new Error("resolvePlan: this case is planned on the injected territory and needs its tree");
    if (!isWholeTree(tree, entrySegment)) planning = parseCase({ ...simCase.caseJson, compartments: territoryCompartments(tree, entrySegment) }, simCase.name);
  }
  const meta = { version: sirtsimVersion() };
  const planned = planTreatment(planning, meta);
  const maxGBq = planned.limits.maxActivityGBq;
  let plan = planned;
  let limitedBy: string | null = null;
  if (maxGBq !== null && planned.activityGBq > maxGBq * (1 + ROUND_OFF)) {
    limitedBy = planned.limits.binding;
    planning = forwardAt(planning, maxGBq);
    const limited = planTreatment(planning, meta);
    const advisory: Advisory = {
      code: "ACTIVITY_LIMITED",
      level: "warning",
      message: `planned activity ${planned.activityGBq.toFixed(3)} GBq exceeds the ${limitedBy} limit: ${maxGBq.toFixed(3)} GBq is injected (the plan's targets are not reached)`,
    };
    // The limited plan's own advisories still hold what does not depend on the activity (an LSF
    // that contraindicates the product, a low T/N).
    plan = { ...limited, advisories: [advisory, ...limited.advisories] };
  }
  const safety = planSafety(plan, planned.activityGBq, limitedBy);
  return { plan, planning, entrySegment, safety };
}

/**
 * The planning case given forward at `activityGBq` (delivered). BSA cases become MIRD forward
 * plans: the BSA formula cannot be told an activity, and MIRD reports the same perfused dose.
 */
function forwardAt(c: PlanningCase, activityGBq: number): PlanningCase {
  const { target: _target, activityAtCalibrationGBq: _calibration, ...rest } = c;
  return { ...rest, method: c.method === "bsa" ? "mird" : c.method, activityGBq };
}

/** What growing the case's tree needs (`sirtsim tree`): validated geometry and tree sections. */
export interface TreeInputs {
  readonly geometry: SimulationCase["geometry"];
  /** Hash of the mask image (stageFiles.ts), when the liver is a mask. */
  readonly maskSha256: string | undefined;
  readonly tree: SimulationCase["tree"];
  readonly domain: SimulationCase["domain"];
  readonly integral: () => SimulationCase["integral"];
}

/**
 * The tree inputs of any case: a planned case is resolved whole (so `tree` refuses what `simulate`
 * refuses); a geometry-only case needs just its `geometry` and `tree` sections.
 */
export function resolveTreeInputs(file: CaseFile, overrides: CaseOverrides = {}): TreeInputs {
  const json = withOverrides(file.json, overrides);
  if (isPlannedCase(json)) {
    const simCase = loadSimulationCase(json, file.path, file.mask);
    return { geometry: simCase.geometry, maskSha256: file.mask ? maskSha256(file.mask) : undefined, tree: simCase.tree, domain: simCase.domain, integral: () => simCase.integral };
  }
  const geometry = parseGeometrySection(json.geometry);
  if (geometry.mask && !file.mask) throw new InputError("geometry.mask.file", "geometry.mask.file was given but the mask image was not loaded");
  const domain = buildDomain(geometry, file.mask);
  return { geometry, maskSha256: file.mask ? maskSha256(file.mask) : undefined, tree: parseTreeSection(json.tree), domain, integral: () => integrateDomain(domain) };
}

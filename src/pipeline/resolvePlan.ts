/**
 * The plan of a case as every command uses it (DESIGN.md "One case, one story"): planned on the
 * injected territory for a selective injection of a geometry-derived case, and held to its limits
 * (the injected activity is the largest within every limit, with an ACTIVITY_LIMITED advisory).
 * Pure (no file or process access), so the browser playground runs it too; src/pipeline/
 * resolveCase.ts re-exports it with the Node-side version.
 */
import { parseCase } from "../io/caseFile.js";
import { planTreatment } from "../planning/plan.js";
import type { Advisory, PlanResult, PlanningCase } from "../planning/types.js";
import { entrySegmentOf } from "../transport/config.js";
import type { ArterialTree } from "../vascular/tree.js";
import type { SimulationCase } from "./caseInput.js";
import { isWholeTree, territoryCompartments } from "./perfused.js";
import { clippedTumourAdvisories, clippedTumours } from "./validateCase.js";

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
 * planned); other cases ignore `tree`. `version` is sirtsim's, for the plan's provenance.
 */
export function resolvePlan(simCase: SimulationCase, tree?: ArterialTree, version = "unknown"): ResolvedPlan {
  let planning = simCase.planning;
  let entrySegment: number | null = null;
  if (tree !== undefined) entrySegment = entrySegmentOf(tree, entryPointOf(simCase));
  if (needsTreeToPlan(simCase)) {
    if (tree === undefined || entrySegment === null) throw new Error("resolvePlan: this case is planned on the injected territory and needs its tree");
    if (!isWholeTree(tree, entrySegment)) planning = parseCase({ ...simCase.caseJson, compartments: territoryCompartments(tree, entrySegment) }, simCase.name);
  }
  const meta = { version };
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
  // Tumours the geometry shrank (partly outside the liver or under an earlier tumour): said with the
  // plan's advisories, so every planning command prints them (the integral exists: the load checked them).
  if (simCase.domain.tumours.length > 0) {
    const clipped = clippedTumourAdvisories(clippedTumours(simCase.domain, simCase.integral));
    if (clipped.length > 0) plan = { ...plan, advisories: [...plan.advisories, ...clipped] };
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

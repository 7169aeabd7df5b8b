/**
 * Activity limits implied by each constraint, and which one binds. Every dose is linear in the
 * administered activity A (partition.ts, lung.ts), so a dose limit L on a quantity with dose
 * d per GBq allows at most A = L / d; the glass lung-activity rule allows A = 0.61 GBq / LSF.
 * The binding constraint is the one that allows the least activity.
 */
import type { ActivityConstraint, PlanLimits, TumourTargetCheck } from "./types.js";

export interface ConstraintInput {
  readonly name: string;
  readonly limit: number;
  readonly unit: "Gy" | "GBq";
  /** Largest administered activity that respects the limit, GBq (Infinity when unbounded). */
  readonly maxActivityGBq: number;
  /** Value of the constrained quantity in the plan. */
  readonly value: number;
  readonly source: string;
}

export interface TumourTargetInput {
  readonly name: string;
  readonly doseTargetGy: number;
  readonly doseGyPerGBq: number;
  readonly doseGy: number;
}

/** Relative tolerance when comparing a plan with a limit it was computed from (round-off only). */
const ROUND_OFF = 1e-12;

export function summariseLimits(
  constraints: readonly ConstraintInput[],
  tumourTargets: readonly TumourTargetInput[],
): PlanLimits {
  const out: Record<string, ActivityConstraint> = {};
  let binding: string | null = null;
  let maxActivityGBq = Infinity;
  for (const c of constraints) {
    out[c.name] = {
      limit: c.limit,
      unit: c.unit,
      maxActivityGBq: Number.isFinite(c.maxActivityGBq) ? c.maxActivityGBq : null,
      value: c.value,
      satisfied: c.value <= c.limit * (1 + ROUND_OFF),
      source: c.source,
    };
    if (c.maxActivityGBq < maxActivityGBq) {
      maxActivityGBq = c.maxActivityGBq;
      binding = c.name;
    }
  }
  const targets: Record<string, TumourTargetCheck> = {};
  for (const t of tumourTargets) {
    targets[t.name] = {
      doseTargetGy: t.doseTargetGy,
      minActivityGBq: t.doseTargetGy / t.doseGyPerGBq,
      doseGy: t.doseGy,
      reached: t.doseGy >= t.doseTargetGy * (1 - ROUND_OFF),
    };
  }
  return {
    constraints: out,
    binding,
    maxActivityGBq: Number.isFinite(maxActivityGBq) ? maxActivityGBq : null,
    withinLimits: Object.values(out).every((c) => c.satisfied),
    tumourTargets: targets,
  };
}

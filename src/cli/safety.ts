/**
 * Safety on the terminal (issue 15.2): every command that plans says whether the plan is within
 * its limits, which limit lowered the activity, and every advisory (level, code, message); a
 * transport says how much of the activity refluxed. Without `--json` these lines are part of the
 * command's text; with `--json` they are fields of the JSON document and the warnings are also
 * written to stderr, so a terminal never hides them.
 */
import type { PlanSafety } from "../pipeline/resolveCase.js";
import { unsafe } from "../pipeline/resolveCase.js";
import { EXIT_UNSAFE } from "./run.js";

import { refluxWarning } from "../pipeline/reflux.js";

export { REFLUX_WARNING_FRACTION } from "../pipeline/reflux.js";

/** The safety block of a plan: limits, limited activity, advisories. */
export function formatSafety(s: PlanSafety): string[] {
  const lines: string[] = [];
  lines.push(s.withinLimits ? "Limits: the plan is within every limit" : `Limits: EXCEEDED (${s.exceededLimits.join(", ")})`);
  if (s.limitedBy !== null) {
    lines.push(`Activity LIMITED by ${s.limitedBy}: planned ${s.plannedActivityGBq.toFixed(4)} GBq, injected ${s.activityGBq.toFixed(4)} GBq`);
  }
  if (s.advisories.length === 0) lines.push("Advisories: none");
  else {
    lines.push("Advisories:");
    for (const a of s.advisories) lines.push(`  [${a.level}] ${a.code}: ${a.message}`);
  }
  return lines;
}

/** The warnings among them (what `--json` runs also write to stderr). */
export function safetyWarnings(s: PlanSafety): string[] {
  const lines: string[] = [];
  if (!s.withinLimits) lines.push(`warning: the plan exceeds its limits (${s.exceededLimits.join(", ")})`);
  if (s.limitedBy !== null) lines.push(`warning: activity limited by ${s.limitedBy}: planned ${s.plannedActivityGBq.toFixed(4)} GBq, injected ${s.activityGBq.toFixed(4)} GBq`);
  for (const a of s.advisories) if (a.level !== "info") lines.push(`${a.level}: ${a.code}: ${a.message}`);
  return lines;
}

/** Reflux of a transport, as the terminal shows it. */
export interface RefluxReport {
  readonly stasis: boolean;
  readonly startedAtSpheres: number | null;
  readonly spheres: number;
  readonly fraction: number;
  readonly activityGBq: number;
  /** Above REFLUX_WARNING_FRACTION: the warning (also in `--json`), else null. */
  readonly warning: string | null;
}

export function refluxReport(t: { spheresInjected: number; spheres: Readonly<Record<string, number>>; stasis: boolean; refluxStartedAtSpheres: number | null }, activityGBq: number): RefluxReport {
  const spheres = t.spheres.reflux ?? 0;
  const fraction = t.spheresInjected > 0 ? spheres / t.spheresInjected : 0;
  return { stasis: t.stasis, startedAtSpheres: t.refluxStartedAtSpheres, spheres, fraction, activityGBq: fraction * activityGBq, warning: refluxWarning(fraction) };
}

const pct = (f: number) => `${(100 * f).toFixed(1)} %`;

/** One line, and a warning line above REFLUX_WARNING_FRACTION. */
export function formatReflux(r: RefluxReport): string[] {
  const stasis = r.stasis ? `stasis after ${(r.startedAtSpheres ?? 0).toLocaleString("en")} spheres` : "no stasis";
  const lines = [`reflux: ${r.spheres.toLocaleString("en")} spheres (${pct(r.fraction)} of the activity, ${r.activityGBq.toFixed(3)} GBq), ${stasis}`];
  if (r.warning !== null) lines.push(`warning: ${r.warning}`);
  return lines;
}

/** Write warnings on stderr (for `--json` runs: stdout holds only the JSON document). */
export function warnOnStderr(lines: readonly string[]): void {
  if (lines.length > 0) process.stderr.write(`${lines.join("\n")}\n`);
}

/** `--strict`: exit 3 (outputs already written) when a contraindication or exceeded limit remains. */
export function applyStrict(strict: boolean | undefined, s: PlanSafety): void {
  if (!strict || !unsafe(s)) return;
  const what = [...s.contraindications, ...s.exceededLimits.map((l) => `${l} limit exceeded`)].join(", ");
  process.stderr.write(`strict: ${what}; exit ${EXIT_UNSAFE}\n`);
  process.exitCode = EXIT_UNSAFE;
}

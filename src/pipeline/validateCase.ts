/**
 * Cross-field checks of a simulation case, run when the case is loaded, before the first expensive
 * stage (tree growth): each section's schema checks its own fields; these check what only the
 * sections together can tell (issue 19 §4–5, issue 15 §4).
 *
 * - tumour names that would collide with the rows the outputs add (`normal`, `liver`, `perfused`,
 *   `lung`, …) or with JavaScript object keys (`toString`, `__proto__`), and duplicate names;
 * - tumours that do not fit the liver: a tumour of which less than half lies in the liver (outside
 *   it, or under earlier tumours, which win where they overlap) is an error, as is a tumour that
 *   leaves no normal liver; a tumour partly outside the liver (≥ half inside) is clipped to it, as
 *   documented in docs/case-file.md (exophytic tumours exist);
 * - `injection.entryPoint` naming no artery of the skeleton (`toString` included);
 * - a plan whose activity the transport cannot inject, blamed on what caused it (an LSF near 1);
 *
 * Every message names the case file (`withCaseFile`).
 */
import { InputError } from "../errors.js";
import { labelAt } from "../geometry/index.js";
import type { Domain, DomainIntegral, GeometryConfig } from "../geometry/index.js";
import { solidVolumeMl } from "../geometry/shapes.js";
import type { Solid } from "../geometry/shapes.js";
import { HEPATIC_SKELETON, type SkeletonNode } from "../vascular/couinaud.js";
import { planTreatment } from "../planning/index.js";
import type { PlanningCase } from "../planning/types.js";

/**
 * Names the outputs use for their own rows (summary.json compartments, dvh.csv columns, report
 * tables): a tumour of that name would replace or shadow the row. Compared case-insensitively.
 */
export const RESERVED_VOI_NAMES: readonly string[] = Object.freeze(["normal", "liver", "perfused", "lung", "reflux", "stasis", "outside", "activity"]);

/** Largest activity the transport stage injects, GBq (src/transport/config.ts, injection.activityGBq). */
const MAX_INJECTED_GBQ = 100;

/** Share of a tumour's own volume that must lie in the liver (and not under earlier tumours). */
const MIN_TUMOUR_FRACTION_INSIDE = 0.5;

/**
 * Run `fn`; an InputError it throws gets the case file's name appended (once), so every case
 * error names the file as well as the field.
 */
export function withCaseFile<T>(fileName: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InputError && !err.message.includes(fileName)) throw new InputError(err.field, `${err.message} (in ${fileName})`);
    throw err;
  }
}

/** Tumour names: not reserved, not an Object.prototype key, not used twice. */
export function checkTumourNames(geometry: GeometryConfig): void {
  const seen = new Map<string, number>();
  (geometry.tumours ?? []).forEach((t, i) => {
    const field = `geometry.tumours[${i}].name`;
    const name = t.name;
    if (RESERVED_VOI_NAMES.includes(name.toLowerCase())) {
      throw new InputError(field, `${field} must not be "${name}": reserved for the outputs' own rows (${RESERVED_VOI_NAMES.join(", ")})`);
    }
    if (name in Object.prototype || name === "__proto__") {
      throw new InputError(field, `${field} must not be "${name}" (a JavaScript object key); choose another name`);
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) throw new InputError(field, `${field} "${name}" is already used by geometry.tumours[${earlier}]`);
    seen.set(name, i);
  });
}

/**
 * Each tumour must lie (mostly) in the liver and leave some normal liver. Volumes are the domain
 * integral's (tumour tissue inside the liver, after earlier tumours took their share).
 */
export function checkTumoursFitLiver(domain: Domain, integral: DomainIntegral): void {
  const [normal, ...tumours] = integral.compartments;
  domain.tumours.forEach((region, t) => {
    const field = `geometry.tumours[${t}]`;
    const insideMl = tumours[t].volumeMl;
    if (region.shape === null) {
      if (!(insideMl > 0)) throw new InputError(`${field}.maskLabel`, `${field} (${region.name}): maskLabel ${region.maskLabel} marks no voxel of the mask`);
      return;
    }
    const solid = region.shape as Solid;
    const ownMl = solidVolumeMl(solid);
    if (ownMl > integral.liverVolumeMl) {
      throw new InputError(field, `${field} (${region.name}) is bigger than the liver (${ownMl.toFixed(1)} mL, the liver ${integral.liverVolumeMl.toFixed(1)} mL)`);
    }
    if (insideMl < MIN_TUMOUR_FRACTION_INSIDE * ownMl) {
      // Where its centre lies tells the two causes apart: outside the liver, or in an earlier tumour.
      const [cx, cy, cz] = solid.centerMm;
      const centreLabel = labelAt(domain, cx, cy, cz);
      const T = domain.tumours.length;
      const host = centreLabel >= 2 ? (centreLabel - 2) % T : -1;
      const where =
        host >= 0 && host !== t
          ? `lies ${insideMl === 0 ? "wholly" : "mostly"} inside geometry.tumours[${host}] (${domain.tumours[host].name}), which comes first and wins where tumours overlap (${insideMl.toFixed(2)} of its ${ownMl.toFixed(2)} mL count)`
          : insideMl === 0
            ? "lies outside the liver"
            : `lies mostly outside the liver (${insideMl.toFixed(2)} of its ${ownMl.toFixed(2)} mL are inside)`;
      throw new InputError(field, `${field} (${region.name}) ${where}; tumours must lie at least ${100 * MIN_TUMOUR_FRACTION_INSIDE} % inside the liver (geometry.liver) and not inside another tumour`);
    }
  });
  if (!(normal.volumeMl > 0)) {
    const biggest = tumours.reduce((b, c, i) => (c.volumeMl > tumours[b].volumeMl ? i : b), 0);
    throw new InputError(`geometry.tumours[${biggest}]`, `geometry.tumours[${biggest}] (${domain.tumours[biggest]?.name ?? "?"}) leaves no normal liver: the tumours cover the whole liver (${integral.liverVolumeMl.toFixed(1)} mL)`);
  }
}

function skeletonNames(node: SkeletonNode, out: string[] = []): string[] {
  out.push(node.name);
  for (const c of node.children) skeletonNames(c, out);
  return out;
}

/** The names `injection.entryPoint` may take: "root" and the named arteries of the skeleton. */
export const ENTRY_POINT_NAMES: readonly string[] = Object.freeze(["root", ...skeletonNames(HEPATIC_SKELETON)]);

/** A named entry point must be one of ENTRY_POINT_NAMES (own names: "toString" is not one). */
export function checkEntryPoint(injectionSection: unknown): void {
  if (injectionSection === null || typeof injectionSection !== "object") return;
  const entry = (injectionSection as { entryPoint?: unknown }).entryPoint;
  if (typeof entry !== "string") return; // numbers and types: the transport schema checks them
  if (!ENTRY_POINT_NAMES.includes(entry)) {
    throw new InputError("injection.entryPoint", `injection.entryPoint must be a segment index or one of ${ENTRY_POINT_NAMES.join(", ")}, got ${JSON.stringify(entry)}`);
  }
}

/**
 * The planned activity must be one the transport can inject. When it is not, say why: an LSF
 * close to 1 leaves almost nothing for the liver, so an inverse plan asks for 1/(1 − LSF) more.
 */
export function checkPlannedActivity(planning: PlanningCase): void {
  const plan = planTreatment(planning);
  if (plan.activityGBq <= MAX_INJECTED_GBQ) return;
  const lsf = planning.lungShuntFraction;
  const withoutShuntGBq = plan.activityGBq * (1 - lsf);
  if (lsf > 0 && withoutShuntGBq <= MAX_INJECTED_GBQ) {
    throw new InputError(
      "lungShuntFraction",
      `lungShuntFraction ${lsf} sends ${(100 * lsf).toFixed(1)} % of the activity to the lungs: the plan needs ${plan.activityGBq.toPrecision(4)} GBq, above the ${MAX_INJECTED_GBQ} GBq that can be injected (SIRT is contraindicated at such a shunt)`,
    );
  }
  const field = planning.target !== undefined ? "target.doseGy" : planning.activityGBq !== undefined ? "activityGBq" : "activityAtCalibrationGBq";
  throw new InputError(field, `${field} gives a plan of ${plan.activityGBq.toPrecision(4)} GBq, above the ${MAX_INJECTED_GBQ} GBq that can be injected`);
}

/** `name` and `description` are text: a list or object there is a mistake, not a description. */
export function checkTextFields(caseJson: Readonly<Record<string, unknown>>): void {
  for (const key of ["name", "description"]) {
    const v = caseJson[key];
    if (v !== undefined && typeof v !== "string") throw new InputError(key, `${key} must be a string, got ${Array.isArray(v) ? "a list" : typeof v}`);
  }
}

/** Every cross-field check that needs only the loaded case (no tree): see the file comment. */
export function checkCaseBeforeWork(simCase: {
  readonly planning: PlanningCase;
  readonly injectionSection: unknown;
  readonly caseJson: Readonly<Record<string, unknown>>;
  readonly compartmentsFromGeometry: boolean;
}): void {
  checkTextFields(simCase.caseJson);
  checkEntryPoint(simCase.injectionSection);
  // A selective injection of geometry-derived compartments is planned later on its territory
  // (smaller, so less activity): only the whole-liver plan is known now.
  const entry = (simCase.injectionSection as { entryPoint?: unknown } | undefined)?.entryPoint;
  const wholeLiver = entry === undefined || entry === "root" || entry === "proper-hepatic" || entry === 0;
  if (!simCase.compartmentsFromGeometry || wholeLiver) checkPlannedActivity(simCase.planning);
}

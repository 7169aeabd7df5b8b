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
 *   documented in docs/case-file.md (exophytic tumours exist), and said: clippedTumours gives the
 *   plan a TUMOUR_CLIPPED warning per tumour that lost more than 1 % (src/pipeline/resolvePlan.ts);
 * - `injection.entryPoint` naming no artery of the skeleton (`toString` included);
 * - a plan whose activity (after the limits) the transport cannot inject, blamed on the field that asked for it;
 * - the `injection` and `transport` sections (schema, `transport.bias` without walrand-bias,
 *   `injection.product/activityGBq/lungShuntFraction` that planning sets, shunt fractions naming
 *   no tumour): parsed again when the transport starts, but then only after the tree was grown;
 *
 * Every message names the case file (`withCaseFile`).
 */
import { InputError } from "../errors.js";
import { compartmentNames, compartmentOfLabel, labelAt } from "../geometry/index.js";
import type { Domain, DomainIntegral, GeometryConfig } from "../geometry/index.js";
import { normalizedRadius, shapeBounds, solidVolumeMl } from "../geometry/shapes.js";
import type { Solid } from "../geometry/shapes.js";
import { HEPATIC_SKELETON, type SkeletonNode } from "../vascular/couinaud.js";
import { planTreatment } from "../planning/index.js";
import { compartmentShuntFractions, parseTransportSections } from "../transport/index.js";
import type { Advisory, PlanningCase } from "../planning/types.js";

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

/**
 * Share of a tumour's own volume not counted (outside the liver, or under an earlier tumour) above
 * which the plan warns. The domain integral counts a whole tumour to within 0.09 % (every tumour
 * of the bundled cases: counted / own volume = 1.00086, tumourCellsPerAxis 64), so 1 % is clipping,
 * not round-off.
 */
export const TUMOUR_CLIPPED_WARN_FRACTION = 0.01;

/** Sample points per axis over a tumour's bounding box to tell why it was clipped (32³: < 1 ms). */
const CLIP_SAMPLES_PER_AXIS = 32;

export interface ClippedTumour {
  readonly index: number;
  readonly name: string;
  /** Volume of the tumour's own solid, mL. */
  readonly ownMl: number;
  /** Volume counted as this tumour (the domain integral's), mL. */
  readonly countedMl: number;
  /** 1 − counted / own. */
  readonly lostFraction: number;
  /** Shares of the own volume outside the liver and under each earlier tumour (lattice sample). */
  readonly outsideLiverFraction: number;
  readonly underTumours: ReadonlyArray<{ readonly name: string; readonly fraction: number }>;
}

/**
 * Tumours (shapes) the geometry shrank by more than TUMOUR_CLIPPED_WARN_FRACTION: partly outside
 * the liver (clipped to it) or partly inside an earlier tumour (which wins where tumours overlap).
 * checkTumoursFitLiver refuses those with less than half counted; these are accepted, and said.
 */
export function clippedTumours(domain: Domain, integral: DomainIntegral): ClippedTumour[] {
  const [, ...tumours] = integral.compartments;
  const out: ClippedTumour[] = [];
  domain.tumours.forEach((region, t) => {
    if (region.shape === null) return;
    const solid = region.shape as Solid;
    const ownMl = solidVolumeMl(solid);
    const countedMl = tumours[t].volumeMl;
    const lostFraction = 1 - countedMl / ownMl;
    if (!(lostFraction > TUMOUR_CLIPPED_WARN_FRACTION)) return;
    const { minMm, maxMm } = shapeBounds(solid);
    const n = CLIP_SAMPLES_PER_AXIS;
    let inside = 0;
    let outside = 0;
    const under = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      const z = minMm[2] + ((k + 0.5) / n) * (maxMm[2] - minMm[2]);
      for (let j = 0; j < n; j++) {
        const y = minMm[1] + ((j + 0.5) / n) * (maxMm[1] - minMm[1]);
        for (let i = 0; i < n; i++) {
          const x = minMm[0] + ((i + 0.5) / n) * (maxMm[0] - minMm[0]);
          if (normalizedRadius(solid, x, y, z) > 1) continue;
          inside++;
          const label = labelAt(domain, x, y, z);
          if (label === 0) outside++;
          else {
            const c = compartmentOfLabel(domain, label) - 1;
            if (c >= 0 && c !== t) under.set(c, (under.get(c) ?? 0) + 1);
          }
        }
      }
    }
    out.push({
      index: t,
      name: region.name,
      ownMl,
      countedMl,
      lostFraction,
      outsideLiverFraction: inside > 0 ? outside / inside : 0,
      underTumours: [...under].sort((a, b) => a[0] - b[0]).map(([c, m]) => ({ name: domain.tumours[c].name, fraction: m / inside })),
    });
  });
  return out;
}

/** A plan advisory (warning) per clipped tumour: its name, the share lost and why. */
export function clippedTumourAdvisories(clipped: readonly ClippedTumour[]): Advisory[] {
  const pct = (f: number) => `${(100 * f).toFixed(1)} %`;
  return clipped.map((c) => {
    const why = [
      ...(c.outsideLiverFraction > 0 ? [`${pct(c.outsideLiverFraction)} outside the liver`] : []),
      ...c.underTumours.map((u) => `${pct(u.fraction)} inside ${u.name}, which comes first and wins where tumours overlap`),
    ].join(", ");
    return {
      code: "TUMOUR_CLIPPED",
      level: "warning",
      message: `tumour ${c.name} (geometry.tumours[${c.index}]): ${pct(c.lostFraction)} of its ${c.ownMl.toFixed(2)} mL is not counted${why ? ` (${why})` : ""}; it is planned and dosed as ${c.countedMl.toFixed(2)} mL`,
    };
  });
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
 * The activity injected must be one the transport can inject. One rule for every injection
 * (docs/planning.md "Limits"): the activity injected is the plan's after the limits (resolvePlan
 * lowers it to the largest within every limit), so a lung shunt however high is planned down to
 * the lung limit, with its contraindication on the terminal and exit 3 under --strict, whether the
 * injection is whole-liver or selective. Only a plan that stays above what can be injected after
 * the limits is an input error, on the field that asked for it.
 */
export function checkPlannedActivity(planning: PlanningCase): void {
  const plan = planTreatment(planning);
  const injectedGBq = Math.min(plan.activityGBq, plan.limits.maxActivityGBq ?? Infinity);
  if (injectedGBq <= MAX_INJECTED_GBQ) return;
  const field = planning.target !== undefined ? "target.doseGy" : planning.activityGBq !== undefined ? "activityGBq" : "activityAtCalibrationGBq";
  throw new InputError(field, `${field} gives a plan of ${plan.activityGBq.toPrecision(4)} GBq (${injectedGBq.toPrecision(4)} GBq within the limits), above the ${MAX_INJECTED_GBQ} GBq that can be injected`);
}

/** `name` and `description` are text: a list or object there is a mistake, not a description. */
export function checkTextFields(caseJson: Readonly<Record<string, unknown>>): void {
  for (const key of ["name", "description"]) {
    const v = caseJson[key];
    if (v !== undefined && typeof v !== "string") throw new InputError(key, `${key} must be a string, got ${Array.isArray(v) ? "a list" : typeof v}`);
  }
}

/**
 * In a simulation the plan sets the injected product, activity and LSF, so the `injection`
 * section may only choose the site (and the decay time): stating them twice would let them
 * disagree. Shared by the load-time check and the transport stage (pipeline/core.ts).
 */
export function checkInjectionLeavesPlanning(injectionSection: unknown): void {
  const raw = (injectionSection ?? {}) as Record<string, unknown>;
  for (const key of ["product", "activityGBq", "lungShuntFraction"]) {
    if (raw[key] !== undefined) {
      throw new InputError(`injection.${key}`, `injection.${key} is set by the planning fields in a simulation (top-level product, activityGBq/target, lungShuntFraction); remove it`);
    }
  }
}

/**
 * The `injection` and `transport` sections, checked at load time as the transport stage will
 * check them (the activity is the plan's, not known yet: the schema default stands in for it).
 */
export function checkTransportSections(injectionSection: unknown, transportSection: unknown, compartmentNames: readonly string[]): void {
  checkInjectionLeavesPlanning(injectionSection);
  const { transport } = parseTransportSections({ injection: injectionSection, transport: transportSection });
  compartmentShuntFractions(compartmentNames, transport.tumourShuntFractions);
  checkTimelinePoints(transportSection, transport);
}

/**
 * `transport.timelinePoints` cuts a cascade injection without embolic feedback into that many
 * equal batches, the points of the timeline (summary.json transport.timeline, transport.json).
 * With feedback every adaptive batch is a point, and the walk records 20 chunks: there it would
 * change nothing, so it is refused rather than ignored.
 */
export function checkTimelinePoints(transportSection: unknown, transport: { readonly algorithm: string; readonly embolic: { readonly enabled: boolean } }): void {
  const given = transportSection !== null && typeof transportSection === "object" && (transportSection as { timelinePoints?: unknown }).timelinePoints !== undefined;
  if (!given) return;
  const why = transport.embolic.enabled ? "with transport.embolic.enabled every adaptive batch is a timeline point" : transport.algorithm === "walk" ? 'algorithm "walk" records its own 20 points' : null;
  if (why !== null) throw new InputError("transport.timelinePoints", `transport.timelinePoints is used only by algorithm "cascade" without embolic feedback (${why}): remove it`);
}

/** Every cross-field check that needs only the loaded case (no tree): see the file comment. */
export function checkCaseBeforeWork(simCase: {
  readonly planning: PlanningCase;
  readonly injectionSection: unknown;
  readonly caseJson: Readonly<Record<string, unknown>>;
  readonly compartmentsFromGeometry: boolean;
  readonly transportSection?: unknown;
  readonly domain?: Domain;
}): void {
  checkTextFields(simCase.caseJson);
  checkEntryPoint(simCase.injectionSection);
  if (simCase.domain) checkTransportSections(simCase.injectionSection, simCase.transportSection, compartmentNames(simCase.domain));
  // A selective injection of geometry-derived compartments is planned later on its territory
  // (smaller, so less activity): only the whole-liver plan is known now.
  const entry = (simCase.injectionSection as { entryPoint?: unknown } | undefined)?.entryPoint;
  const wholeLiver = entry === undefined || entry === "root" || entry === "proper-hepatic" || entry === 0;
  if (!simCase.compartmentsFromGeometry || wholeLiver) checkPlannedActivity(simCase.planning);
}

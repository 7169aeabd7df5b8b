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
import { InputError } from "../errors.js";
import { buildDomain, integrateDomain } from "../geometry/index.js";
import type { DomainIntegral, Grid } from "../geometry/index.js";
import { parseGeometrySection, parseTreeSection } from "../vascular/config.js";
import { growTree } from "../vascular/grow.js";
import type { ArterialTree } from "../vascular/tree.js";
import { sirtsimVersion } from "../io/results.js";
import { caseAutoTerminals, loadSimulationCase } from "./caseInput.js";
import type { SimulationCase } from "./caseInput.js";
import { readCaseMask, readJsonFile } from "./files.js";
import { maskSha256 } from "./stageFiles.js";
import { resolvePlan as resolvePlanPure } from "./resolvePlan.js";
import { readCaseImages, type PatientImages } from "./patientImages.js";
import type { ResolvedPlan } from "./resolvePlan.js";

/** Command-line values that replace the case's (validated by the case's own schema). */
export interface CaseOverrides {
  /** Seed of the transport and lodging positions (`seed`). */
  readonly seed?: number;
  /** Seed of the tree growth (`tree.seed`). */
  readonly treeSeed?: number;
  /** Number of terminals of the tree (`tree.terminals`), or "auto". */
  readonly terminals?: number | "auto";
}

/** A case file as read from disk: its JSON object and the label image of `geometry.mask`. */
export interface CaseFile {
  readonly path: string;
  readonly json: Record<string, unknown>;
  /** The liver/tumour label image: `geometry.mask`'s, or the one made from `geometry.images`. */
  readonly mask?: Grid<Uint8Array>;
  /** `geometry.images` read and checked (src/pipeline/patientImages.ts), when the case names patient images. */
  readonly images?: PatientImages;
}

/** Read a case file (and its mask image); unreadable, malformed or non-object files are input errors. */
export async function readCaseFile(path: string): Promise<CaseFile> {
  return caseFileFromJson(await readJsonFile(path, "the case file"), path);
}

/** A case file from its parsed JSON (`path` resolves its relative image paths): the mask or patient images read. */
export async function caseFileFromJson(json: unknown, path: string): Promise<CaseFile> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new InputError(path, `${path}: a case file must be a JSON object`);
  // Patient images first: they refuse a geometry.mask given beside them.
  const images = await readCaseImages(json as Record<string, unknown>, path);
  if (images) return { path, json: json as Record<string, unknown>, mask: images.mask, images };
  const mask = await readCaseMask(json, path);
  return { path, json: json as Record<string, unknown>, ...(mask ? { mask: mask.grid } : {}) };
}

/**
 * The case JSON every stage validates: the overrides written in, and `geometry.images` replaced by
 * the mask geometry and lung shunt the images gave (patientImages.ts).
 */
export function resolvedCaseJson(file: CaseFile, overrides: CaseOverrides = {}): Record<string, unknown> {
  const json = withOverrides(file.json, overrides);
  return file.images ? file.images.apply(json) : json;
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
  return loadSimulationCase(resolvedCaseJson(file, overrides), file.path, file.mask);
}

/** The case's tree, grown as every command grows it. */
export function growCaseTree(simCase: SimulationCase): ArterialTree {
  return growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
}

export { needsTreeToPlan, planSafety, unsafe } from "./resolvePlan.js";
export type { PlanSafety, ResolvedPlan } from "./resolvePlan.js";

/** resolvePlan (src/pipeline/resolvePlan.ts) with this sirtsim's version for provenance. */
export function resolvePlan(simCase: SimulationCase, tree?: ArterialTree): ResolvedPlan {
  return resolvePlanPure(simCase, tree, sirtsimVersion());
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
  const json = resolvedCaseJson(file, overrides);
  if (isPlannedCase(json)) {
    const simCase = loadSimulationCase(json, file.path, file.mask);
    return { geometry: simCase.geometry, maskSha256: file.mask ? maskSha256(file.mask) : undefined, tree: simCase.tree, domain: simCase.domain, integral: () => simCase.integral };
  }
  const geometry = parseGeometrySection(json.geometry);
  if (geometry.mask && !file.mask) throw new InputError("geometry.mask.file", "geometry.mask.file was given but the mask image was not loaded");
  const domain = buildDomain(geometry, file.mask);
  let integral: DomainIntegral | undefined;
  const integralOf = () => (integral ??= integrateDomain(domain));
  const tree = parseTreeSection(json.tree, caseAutoTerminals(integralOf));
  return { geometry, maskSha256: file.mask ? maskSha256(file.mask) : undefined, tree, domain, integral: integralOf };
}

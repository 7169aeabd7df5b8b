/**
 * The simulation case: one JSON file whose sections are validated by the stage that owns them
 * (planning fields by src/io/caseFile.ts, `geometry`/`tree` by src/vascular/config.ts, `dose` by
 * src/dose/config.ts, `injection`/`transport` by src/transport/config.ts).
 *
 * When the case describes tumours geometrically and gives no planning `compartments`, the
 * compartments are derived from the geometry — tumour masses from their volumes and T/N from the
 * perfusion integral (so a necrotic core and a hypervascular rim are averaged the way the partition
 * model sees them: activity per unit mass relative to normal liver). The partition model and the
 * simulation then describe the same liver.
 */
import { InputError } from "../errors.js";
import { parseCase } from "../io/caseFile.js";
import type { PlanningCase } from "../planning/types.js";
import { buildDomain, integrateDomain, viableVolumeMl } from "../geometry/index.js";
import type { Domain, DomainIntegral, GeometryConfig, Grid } from "../geometry/index.js";
import { parseGeometrySection, parseTreeInput, withTerminals } from "../vascular/config.js";
import { autoTerminals, RESOLUTION_STUDY } from "../transport/resolution.js";
import type { TreeSection } from "../vascular/config.js";
import { parseDoseConfig } from "../dose/config.js";
import type { DoseConfig } from "../dose/config.js";
import { parseReportConfig } from "../report/config.js";
import type { ReportConfig } from "../report/config.js";
import { checkCaseBeforeWork, checkTumourNames, checkTumoursFitLiver, withCaseFile } from "./validateCase.js";

export interface SimulationCase {
  readonly name: string;
  readonly description: string;
  /** Seed of the whole run (transport, lodging positions); the tree has its own `tree.seed`. */
  readonly seed: number;
  readonly planning: PlanningCase;
  readonly geometry: GeometryConfig;
  readonly tree: TreeSection;
  readonly dose: DoseConfig;
  /** The `report` section (isodose levels). */
  readonly report: ReportConfig;
  /** The raw `injection` and `transport` sections, parsed by the transport stage. */
  readonly injectionSection: unknown;
  readonly transportSection: unknown;
  readonly domain: Domain;
  readonly integral: DomainIntegral;
  /** True when the planning compartments were derived from the geometry. */
  readonly compartmentsFromGeometry: boolean;
  /** The case JSON (validated), for re-planning on a selective injection's territory. */
  readonly caseJson: Readonly<Record<string, unknown>>;
}

/** Default seed when the case gives none (any fixed number: runs must be reproducible). */
export const DEFAULT_SEED = 20261126;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Planning compartments for the domain: normal liver + each tumour, volumes and mean T/N. */
export function compartmentsFromDomain(domain: Domain, integral: DomainIntegral): Record<string, unknown>[] {
  const [normal, ...tumours] = integral.compartments;
  return [
    ...tumours.map((t, i) => {
      const region = domain.tumours[i];
      const uniform = region.necroticCoreFraction === 0 && region.rimFraction === 0;
      return {
        name: t.name,
        kind: "tumour",
        volumeMl: t.volumeMl,
        // Mean concentration ratio over the whole tumour (necrotic core included, rim weighted);
        // a uniform tumour's is its T/N exactly (the lattice sums would carry ~1e-12 round-off).
        tumourToNormalRatio: uniform ? region.tnRatio : t.perfusionIntegralMl / t.volumeMl,
      };
    }),
    { name: normal.name, kind: "normal", volumeMl: normal.volumeMl },
  ];
}

/**
 * The domain and its integral of an earlier loadSimulationCase of the same `geometry` section
 * (the playground keeps them while only other sections change: building them takes ~0.3 s).
 */
export interface PreparedDomain {
  readonly domain: Domain;
  readonly integral: DomainIntegral;
}

/**
 * Validate a simulation case. `maskGrid` is the label image named by `geometry.mask.file`, read
 * by the caller (io layer).
 */
export function loadSimulationCase(json: unknown, fileName = "case", maskGrid?: Grid<Uint8Array>, prepared?: PreparedDomain): SimulationCase {
  return withCaseFile(fileName, () => loadCase(json, fileName, maskGrid, prepared));
}

function loadCase(json: unknown, fileName: string, maskGrid?: Grid<Uint8Array>, prepared?: PreparedDomain): SimulationCase {
  if (!isObject(json)) throw new InputError(fileName, `${fileName}: a case file must be a JSON object`);
  const seed = json.seed ?? DEFAULT_SEED;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InputError("seed", `seed must be an integer in [0, 4294967295], got ${JSON.stringify(seed)}`);
  }
  const geometry = parseGeometrySection(json.geometry);
  if (geometry.mask && !maskGrid) throw new InputError("geometry.mask.file", "geometry.mask.file was given but the mask image was not loaded");
  checkTumourNames(geometry);
  const domain = prepared?.domain ?? buildDomain(geometry, maskGrid);
  const compartmentsFromGeometry = json.compartments === undefined;
  // The integral (seconds for a fine lattice) is computed when first needed: a planning case with
  // its own compartments (`sirtsim plan`) never needs it.
  let integral: DomainIntegral | undefined = prepared?.integral;
  const integralOf = () => (integral ??= integrateDomain(domain));
  // A tumour outside the liver is refused (trust-inputs); a case without tumours has nothing to check.
  if (domain.tumours.length > 0) checkTumoursFitLiver(domain, integralOf());
  const planningJson = compartmentsFromGeometry ? { ...json, compartments: compartmentsFromDomain(domain, integralOf()) } : json;
  const planning = parseCase(planningJson, fileName);
  if (!compartmentsFromGeometry) checkCompartmentNames(planning, domain);
  // tree.terminals "auto" counts the perfused tissue (resolution.ts autoTerminals), so the tree is
  // resolved when first needed, like the integral; the section itself is checked now.
  const treeInput = parseTreeInput(json.tree);
  let tree: TreeSection | undefined;
  const treeOf = () => (tree ??= withTerminals(treeInput, caseAutoTerminals(integralOf)));
  const simCase: SimulationCase = {
    // Without a name, the file's base name: the same whether the path was given relative or
    // absolute (merge re-resolves the case by its absolute path; the name is part of the case's hash).
    // (No node:path here: the playground bundles this module for the browser.)
    name: typeof json.name === "string" ? json.name : (fileName.split(/[\\/]/).pop() ?? fileName),
    description: typeof json.description === "string" ? json.description : "",
    seed,
    planning,
    geometry,
    get tree() {
      return treeOf();
    },
    dose: parseDoseConfig(json.dose),
    report: parseReportConfig(json.report),
    injectionSection: json.injection,
    transportSection: json.transport,
    domain,
    get integral() {
      return integralOf();
    },
    compartmentsFromGeometry,
    caseJson: json,
  };
  checkCaseBeforeWork(simCase);
  return simCase;
}

/**
 * `tree.terminals: "auto"` for the liver whose integral `integral()` gives (computed only if the
 * count is "auto"): its perfused tissue over RESOLUTION_STUDY.autoMg (resolution.ts autoTerminals).
 * Every command's case resolution passes this to withTerminals / parseTreeSection.
 */
export function caseAutoTerminals(integral: () => DomainIntegral): () => number {
  return () => autoTerminals(viableVolumeMl(integral()));
}

/** What the logs add to a tree's terminal count when the case left it to "auto" ("" otherwise). */
export function autoTerminalsLabel(caseJson: Readonly<Record<string, unknown>>): string {
  return terminalsAreAuto(caseJson) ? ` (tree.terminals "auto": ${RESOLUTION_STUDY.autoMg} mg of tissue per terminal)` : "";
}

/** True when the case JSON (overrides applied) leaves `tree.terminals` to "auto" (its default). */
export function terminalsAreAuto(caseJson: Readonly<Record<string, unknown>>): boolean {
  const tree = caseJson.tree;
  const terminals = tree !== null && typeof tree === "object" ? (tree as Record<string, unknown>).terminals : undefined;
  return terminals === undefined || terminals === "auto";
}

/** Given compartments must name the geometry's tumours, so doses can be compared by name. */
function checkCompartmentNames(planning: PlanningCase, domain: Domain): void {
  const names = new Set(planning.compartments.map((c) => c.name));
  domain.tumours.forEach((t, i) => {
    if (!names.has(t.name)) {
      throw new InputError(
        `geometry.tumours[${i}].name`,
        `geometry.tumours[${i}].name "${t.name}" has no planning compartment of that name (compartments: ${[...names].join(", ")}); omit \`compartments\` to derive them from the geometry`,
      );
    }
  });
}

/**
 * A playground setting (what the controls show) and the case file it stands for. The page edits
 * settings; the engine runs the case JSON, the same document `sirtsim simulate` reads, so a
 * lecturer can download it and run it on the command line.
 */
export type DoseMode = "target" | "activity";

export interface PlaygroundSettings {
  readonly product: "sir-spheres" | "therasphere" | "quiremspheres";
  /** Plan to a dose (the case's target compartment) or give the activity. */
  readonly doseMode: DoseMode;
  readonly targetDoseGy: number;
  readonly activityGBq: number;
  /** T/N per tumour, by name. */
  readonly tnRatio: Readonly<Record<string, number>>;
  readonly lungShuntFraction: number;
  readonly entryPoint: string;
  /** Id of a heterogeneity model (engine.heterogeneityModels). */
  readonly heterogeneity: string;
  /**
   * Embolic capacity relative to the engine's geometric model (embolic feedback with
   * `transport.embolic.plugLengthMm` = this × the case's plug length, default 1.24 mm, calibrated
   * on resin stasis: docs/transport.md "Embolic load from geometry"; it means the same at any tree
   * size); 1 = the engine's default, 0 = off.
   */
  readonly embolicCapacity: number;
}

/** The playground's tree and dose grid: ~2e4 terminals and 4 mm voxels keep a change under ~2 s. */
export const PLAYGROUND_TERMINALS = 20_000;
export const PLAYGROUND_VOXEL_MM = 4;

import { EMBOLIC_DEFAULTS } from "../../src/transport/defaults.js";
import { DEFAULT_GROW_OPTIONS } from "../../src/vascular/grow.js";

type Json = Record<string, any>;

/** The capacity factor of a case that has embolic feedback on: its own (geometric) capacity. */
export const DEFAULT_EMBOLIC_CAPACITY = 1;

/** Settings read from a case (its product, target or activity, T/N, LSF, site, embolic load). */
export function settingsFromCase(base: Json, heterogeneity: string): PlaygroundSettings {
  const tn: Record<string, number> = {};
  for (const t of base.geometry?.tumours ?? []) tn[t.name] = t.tnRatio ?? 1;
  const embolic = base.transport?.embolic ?? {};
  return {
    product: base.product,
    doseMode: base.target ? "target" : "activity",
    targetDoseGy: base.target?.doseGy ?? 40,
    activityGBq: base.activityGBq ?? 2,
    tnRatio: tn,
    lungShuntFraction: base.lungShuntFraction ?? 0,
    entryPoint: String(base.injection?.entryPoint ?? "proper-hepatic"),
    heterogeneity,
    // The engine's default is no feedback unless the case enables it (transport/defaults.ts).
    embolicCapacity: embolic.enabled === true ? DEFAULT_EMBOLIC_CAPACITY : 0,
  };
}

/**
 * The case for a setting: the preset's case with the controls' values written into the fields
 * that own them, the playground's tree size and dose voxel, and no unit strings.
 */
export function caseFromSettings(base: Json, s: PlaygroundSettings, heterogeneityTransport: Record<string, unknown>, terminals = PLAYGROUND_TERMINALS): Json {
  const c: Json = JSON.parse(JSON.stringify(base));
  c.product = s.product;
  delete c.target;
  delete c.activityGBq;
  delete c.activityAtCalibrationGBq;
  if (s.doseMode === "target") c.target = { ...(base.target ?? { compartment: "normal" }), doseGy: s.targetDoseGy };
  else c.activityGBq = s.activityGBq;
  // The product's own residual and calibration timing belong to the preset's product only.
  if (s.product !== base.product) {
    delete c.residualFraction;
    delete c.hoursCalibrationToTreatment;
  }
  c.lungShuntFraction = s.lungShuntFraction;
  c.geometry = { ...(c.geometry ?? {}), tumours: (c.geometry?.tumours ?? []).map((t: Json) => ({ ...t, tnRatio: s.tnRatio[t.name] ?? t.tnRatio })) };
  if (Array.isArray(c.compartments)) {
    c.compartments = c.compartments.map((k: Json) => (k.kind === "tumour" && s.tnRatio[k.name] !== undefined ? { ...k, tumourToNormalRatio: s.tnRatio[k.name] } : k));
  }
  // The optimised (CCO) part keeps the case's share of the terminals (the bundled cases: 2000 of
  // 1e5) when the playground's tree is smaller: the case scaled down as a whole. At 2e4 terminals
  // this is 400, and the T/N change (which regrows the tree) is ~0.4 s faster; over tree seeds 7–9
  // the NET case's realised T/N was 3.77 ± 0.04 with 2000 and 3.71 ± 0.10 with 400, tumour D70s
  // within their tree-to-tree spread (bench/playground-tree.ts, bench/playground.md).
  const caseTree = (c.tree ?? {}) as Json;
  // The share needs the case's own count: a preset's case states it (a count left to "auto" comes
  // from the liver's integral, which this pure JSON step does not have; test/playground/embolic.test.ts
  // checks every preset).
  if (typeof caseTree.terminals !== "number") throw new Error(`playground preset case: tree.terminals must be a number (got ${JSON.stringify(caseTree.terminals)})`);
  const caseTerminals = caseTree.terminals;
  const caseOptimised = typeof caseTree.optimisedTerminals === "number" ? caseTree.optimisedTerminals : DEFAULT_GROW_OPTIONS.optimisedTerminals;
  const optimisedTerminals = Math.max(1, Math.min(terminals, Math.round((caseOptimised * terminals) / Math.max(caseTerminals, terminals))));
  c.tree = { ...caseTree, terminals, optimisedTerminals };
  c.dose = { ...(c.dose ?? {}), voxelMm: PLAYGROUND_VOXEL_MM };
  c.injection = { ...(c.injection ?? {}), entryPoint: s.entryPoint };
  // The control owns the capacity: at 1 the case's own embolic section (what the CLI runs, numerical
  // overrides included); otherwise the geometric model's plug length scaled (overrides dropped: they
  // would ignore the plug length).
  const ownEmbolic = (c.transport?.embolic ?? {}) as Json;
  const { capacitySpheres: _cs, capacitySpheresPerMl: _cm, ...geometric } = ownEmbolic;
  const plugLengthMm = (typeof geometric.plugLengthMm === "number" ? geometric.plugLengthMm : EMBOLIC_DEFAULTS.plugLengthMm) * s.embolicCapacity;
  const embolic = s.embolicCapacity <= 0 ? { enabled: false } : s.embolicCapacity === 1 ? { ...ownEmbolic, enabled: true } : { ...geometric, enabled: true, plugLengthMm };
  c.transport = { ...(c.transport ?? {}), ...heterogeneityTransport, embolic };
  return c;
}

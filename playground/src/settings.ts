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
   * Embolic load: spheres one mL of tissue's vessels hold before they plug (embolic feedback,
   * `transport.embolic.capacitySpheresPerMl`, which means the same at any tree size); 0 = off.
   */
  readonly embolicCapacityPerMl: number;
}

/** The playground's tree and dose grid: ~2e4 terminals and 4 mm voxels keep a change under ~2 s. */
export const PLAYGROUND_TERMINALS = 20_000;
export const PLAYGROUND_VOXEL_MM = 4;

type Json = Record<string, any>;

/**
 * Embolic capacity the bundled NET case implies: 500 spheres per terminal of a 1e5-terminal tree
 * in its 1.59 L liver (15.9 µL per terminal) ≈ 3e4 spheres per mL, the capacity of ~50 spheres
 * per ~1.6 µL portal tract of docs/transport.md scaled to that tree.
 */
export const DEFAULT_CAPACITY_PER_ML = 30_000;

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
    embolicCapacityPerMl: embolic.enabled === false ? 0 : (embolic.capacitySpheresPerMl ?? DEFAULT_CAPACITY_PER_ML),
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
  c.tree = { ...(c.tree ?? {}), terminals };
  c.dose = { ...(c.dose ?? {}), voxelMm: PLAYGROUND_VOXEL_MM };
  c.injection = { ...(c.injection ?? {}), entryPoint: s.entryPoint };
  const embolic = s.embolicCapacityPerMl > 0 ? { ...(c.transport?.embolic ?? {}), enabled: true, capacitySpheresPerMl: s.embolicCapacityPerMl } : { enabled: false };
  c.transport = { ...(c.transport ?? {}), ...heterogeneityTransport, embolic };
  return c;
}

/**
 * The case file: its zod 4 schema (`caseSchema`, also the source of schema/case.schema.json) and
 * `parseCase`, which turns untrusted JSON into a `PlanningCase` or throws an InputError whose
 * message names the field path and the allowed range, e.g. `lungShuntFraction must be in [0, 1),
 * got 1.2`.
 *
 * Quantities may be numbers in the field's unit or strings with a unit ("3.2 GBq", "1600 mL");
 * see quantity.ts. The top level also accepts the sections other stages own (`geometry`, `tree`,
 * `injection`, `transport`, `dose`, `output`, plus `name`, `description`, `seed`): they are left
 * for those stages' schemas to validate (extend `caseSchema` with `.extend({...})`). Any other
 * unknown key is an error naming it.
 */
import { z } from "zod";
import { geometrySchema, treeSchema } from "../vascular/config.js";
import { injectionSchema, transportSchema } from "../transport/config.js";
import { reportConfigSchema } from "../report/config.js";
import { doseConfigSchema } from "../dose/config.js";
import { InputError } from "../errors.js";
import { INDICATIONS, SCENARIOS, type Indication, type Scenario } from "../physics/eanm2022.js";
import { PRODUCT_IDS, type ProductId } from "../physics/products.js";
import { DEFAULT_LUNG_MASS_KG, DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../physics/units.js";
import { hoursBetween } from "../physics/decay.js";
import {
  COMPARTMENT_KINDS,
  LUNG_TARGET,
  PERFUSED_TARGET,
  PLANNING_METHODS,
  RESERVED_COMPARTMENT_NAMES,
  type CompartmentKind,
  type PlanningCase,
  type PlanningCompartment,
  type PlanningMethod,
} from "../planning/types.js";
import { parseQuantity, QUANTITY_KINDS, type QuantityKind } from "./quantity.js";

/** An allowed interval, written the way messages show it: `[0, 1)`. */
interface Range {
  readonly min: number;
  readonly max: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

function rangeText(r: Range): string {
  return `${r.minOpen ? "(" : "["}${r.min}, ${r.max}${r.maxOpen ? ")" : "]"}`;
}

function inRange(v: number, r: Range): boolean {
  return (r.minOpen ? v > r.min : v >= r.min) && (r.maxOpen ? v < r.max : v <= r.max);
}

/**
 * A quantity field: a finite number in the field's unit, or a string with a unit. Messages are
 * relative ("must be in [0, 1), got 1.2"); parseCase prefixes the field path.
 */
/** Range and kind of each quantity schema, so the JSON Schema can carry numeric bounds. */
const quantitySpecs = new WeakMap<object, { kind: QuantityKind; range: Range }>();

function quantity(kind: QuantityKind, range: Range, description: string) {
  const spec = QUANTITY_KINDS[kind];
  const unitText = spec.unit === "" ? "" : ` ${spec.unit}`;
  const hint = `${spec.noun} in ${rangeText(range)}${unitText}`;
  const schema = z
    .union([z.number(), z.string()], {
      error: (iss) =>
        iss.input === undefined
          ? `is required (${hint})`
          : `must be ${hint} (a number, or a string with a unit), got ${typeof iss.input === "number" ? String(iss.input) : JSON.stringify(iss.input)}`,
    })
    .transform((input, ctx) => {
      let value: number;
      if (typeof input === "number") {
        value = input;
      } else {
        const parsed = parseQuantity(input, kind);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: parsed.reason, input });
          return z.NEVER;
        }
        value = parsed.value;
      }
      if (!Number.isFinite(value) || !inRange(value, range)) {
        const shown = typeof input === "number" ? String(input) : `${JSON.stringify(input)} = ${value}${unitText}`;
        ctx.addIssue({ code: "custom", message: `must be in ${rangeText(range)}${unitText}, got ${shown}`, input });
        return z.NEVER;
      }
      return value;
    })
    .meta({ description: `${description} Unit: ${spec.unit || "none"}; range ${rangeText(range)}.` });
  quantitySpecs.set(schema, { kind, range });
  return schema;
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .enum(values, {
      error: (iss) =>
        iss.input === undefined
          ? `is required (one of ${values.join(", ")})`
          : `must be one of ${values.join(", ")}, got ${JSON.stringify(iss.input)}`,
    })
    .meta({ description });
}

const text = (description: string) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? "is required (a string)" : `must be a string, got ${JSON.stringify(iss.input)}`) })
    .min(1, { error: "must not be empty" })
    .meta({ description });

const isoTime = (description: string) =>
  z.iso
    .datetime({ offset: true, local: true, error: (iss) => `must be an ISO 8601 date-time like "2026-03-02T09:30:00Z", got ${JSON.stringify(iss.input)}` })
    .meta({ description });

const strict = <T extends z.core.$ZodLooseShape>(shape: T, description: string) =>
  z.strictObject(shape, { error: (iss) => (iss.input === undefined ? "is required (an object)" : "must be an object") }).meta({ description });

const DENSITY_RANGE: Range = { min: 0.5, max: 3 };
const MASS_RANGE: Range = { min: 0, max: 10, minOpen: true };
const VOLUME_RANGE: Range = { min: 0, max: 10000, minOpen: true };
const DOSE_RANGE: Range = { min: 0, max: 5000, minOpen: true };

const compartmentSchema = strict(
  {
    name: text("Name of the compartment; the key of its result. Not \"lung\"."),
    kind: oneOf(COMPARTMENT_KINDS as unknown as readonly [CompartmentKind, ...CompartmentKind[]], "tumour, normal (non-tumoral liver) or perfused (uniform tissue: MIRD / BSA)."),
    massKg: quantity("mass", MASS_RANGE, "Mass of the compartment (give massKg or volumeMl).").optional(),
    volumeMl: quantity("volume", VOLUME_RANGE, "Volume of the compartment (give massKg or volumeMl).").optional(),
    densityGPerMl: quantity("density", DENSITY_RANGE, "Tissue density for volumeMl; default: the case's densityGPerMl.").optional(),
    tumourToNormalRatio: quantity(
      "ratio",
      { min: 0, max: 1000, minOpen: true },
      "T/N: activity concentration (per unit mass) in the tumour relative to normal liver, not an activity ratio. Tumours only; required by method partition.",
    ).optional(),
  },
  "A liver compartment.",
);

const massOrVolumeSchema = strict(
  {
    massKg: quantity("mass", MASS_RANGE, "Mass of the whole liver.").optional(),
    volumeMl: quantity("volume", VOLUME_RANGE, "Volume of the whole liver.").optional(),
    densityGPerMl: quantity("density", DENSITY_RANGE, "Density for volumeMl; default: the case's densityGPerMl.").optional(),
  },
  "Method bsa only: the whole liver (massKg or volumeMl), when only part of it is treated (BSA lobar / selective). Default: the perfused compartments are the whole liver.",
);

/** Sections of the case file that other stages own and validate with their own schemas. */
export const RESERVED_SECTIONS = ["name", "description", "seed", "geometry", "tree", "injection", "transport", "dose", "report"] as const;

const reserved = Object.fromEntries(
  RESERVED_SECTIONS.map((k) => [k, z.unknown().optional().meta({ description: `Owned by another stage (${k}); not validated by planning.` })]),
) as { [K in (typeof RESERVED_SECTIONS)[number]]: z.ZodOptional<z.ZodUnknown> };

/** The case-file schema (zod 4). Extend with `caseSchema.extend({ geometry: … })`. */
export const caseSchema = z
  .strictObject(
    {
      ...reserved,
      product: oneOf(PRODUCT_IDS as unknown as readonly [ProductId, ...ProductId[]], "Microsphere product."),
      method: oneOf(PLANNING_METHODS as unknown as readonly [PlanningMethod, ...PlanningMethod[]], "Planning method: bsa (resin), mird (single compartment) or partition (n compartments)."),
      lungShuntFraction: quantity("fraction", { min: 0, max: 1, maxOpen: true }, "Lung shunt fraction (LSF) from the Tc-99m MAA scan."),
      lungMassKg: quantity("mass", MASS_RANGE, `Lung mass for the lung dose; default ${DEFAULT_LUNG_MASS_KG} kg (convention).`).optional(),
      priorLungDoseGy: quantity("dose", { min: 0, max: 1000 }, "Lung dose from earlier treatments (for the 50 Gy cumulative limit); default 0.").optional(),
      patient: strict(
        {
          heightCm: quantity("length", { min: 30, max: 250 }, "Height.").optional(),
          weightKg: quantity("mass", { min: 2, max: 400 }, "Weight.").optional(),
          bsaM2: quantity("area", { min: 0, max: 5, minOpen: true }, "Body surface area, overrides height and weight.").optional(),
        },
        "The patient; heightCm and weightKg (or bsaM2) are required by method bsa and set its activity. Other methods record it (summary.json plan.patient, report).",
      ).optional(),
      densityGPerMl: quantity("density", DENSITY_RANGE, `Tissue density converting volumeMl to mass; default ${DEFAULT_TISSUE_DENSITY_G_PER_ML} g/mL.`).optional(),
      compartments: z
        .array(compartmentSchema, { error: (iss) => (iss.input === undefined ? "is required (a list of compartments)" : "must be a list of compartments") })
        .min(1, { error: "must list at least one compartment" })
        .meta({ description: "Liver compartments in the perfused volume: tumours, normal liver, or one perfused compartment." }),
      wholeLiver: massOrVolumeSchema.optional(),
      target: strict(
        {
          compartment: text(`A compartment name, "${PERFUSED_TARGET}" (mean over the perfused volume) or "${LUNG_TARGET}". Default for mird: perfused.`).optional(),
          doseGy: quantity("dose", DOSE_RANGE, "Absorbed dose to reach."),
        },
        "Inverse planning: the activity that gives doseGy to the compartment. Exclusive with activityGBq.",
      ).optional(),
      activityGBq: quantity("activity", { min: 0, max: 100, minOpen: true }, "Forward planning: activity delivered to the patient at treatment time.").optional(),
      activityAtCalibrationGBq: quantity(
        "activity",
        { min: 0, max: 100, minOpen: true },
        "Forward planning from the vial: activity at calibration, decayed to treatment time and reduced by residualFraction.",
      ).optional(),
      doseCoefficientGyKgPerGBq: quantity(
        "doseCoefficient",
        { min: 0, max: 100, minOpen: true },
        "Dose coefficient K overriding the product default (reported as convention \"user\").",
      ).optional(),
      indication: oneOf(INDICATIONS as unknown as readonly [Indication, ...Indication[]], "Tumour type, selects EANM 2022 dose targets; default other.").optional(),
      scenario: oneOf(SCENARIOS as unknown as readonly [Scenario, ...Scenario[]], "Treatment scenario; default whole-liver.").optional(),
      pretreated: z
        .boolean({ error: (iss) => `must be true or false, got ${JSON.stringify(iss.input)}` })
        .meta({ description: "Prior systemic chemotherapy (resin normal-liver limit 30 Gy instead of 40 Gy); default false." })
        .optional(),
      limits: strict(
        {
          normalLiverDoseGy: quantity("dose", DOSE_RANGE, "Normal-liver dose limit (default from EANM 2022 by product).").optional(),
          tumourDoseGy: quantity("dose", DOSE_RANGE, "Tumour dose target (default from EANM 2022 by product and indication).").optional(),
          lungDoseGy: quantity("dose", DOSE_RANGE, "Lung dose limit per treatment; default 30 Gy.").optional(),
          lungCumulativeDoseGy: quantity("dose", DOSE_RANGE, "Cumulative lung dose limit; default 50 Gy.").optional(),
        },
        "Overrides of the guideline limits and targets.",
      ).optional(),
      calibrationTime: isoTime("Calibration date-time of the vial (with treatmentTime).").optional(),
      treatmentTime: isoTime("Treatment date-time (with calibrationTime).").optional(),
      hoursCalibrationToTreatment: quantity(
        "time",
        { min: -1000, max: 1000 },
        "Time from calibration to treatment, instead of calibrationTime and treatmentTime.",
      ).optional(),
      residualFraction: quantity("fraction", { min: 0, max: 1, maxOpen: true }, "Fraction of the dispensed activity left in vial and tubing.").optional(),
    },
    { error: (iss) => (iss.input === undefined ? "is empty" : "must be a JSON object") },
  )
  .meta({ title: "sirtsim case file", description: "A SIRT case: planning fields plus sections owned by later stages." });

export type CaseInput = z.input<typeof caseSchema>;
export type CaseOutput = z.output<typeof caseSchema>;

/** `compartments[1].massKg` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

function issueToError(issue: z.core.$ZodIssue, fileName?: string): InputError {
  const where = fileName ? ` (in ${fileName})` : "";
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const field = path === "" ? issue.keys[0] : `${path}.${issue.keys[0]}`;
    return new InputError(field, `${field} is not a known field${where}`);
  }
  const field = path === "" ? "case" : path;
  return new InputError(field, `${field} ${issue.message}${where}`);
}

function fail(field: string, message: string, fileName?: string): never {
  throw new InputError(field, `${field} ${message}${fileName ? ` (in ${fileName})` : ""}`);
}

function massFrom(
  field: string,
  v: { massKg?: number; volumeMl?: number; densityGPerMl?: number },
  defaultDensity: number,
  fileName?: string,
): { massKg: number; densityGPerMl: number } {
  const densityGPerMl = v.densityGPerMl ?? defaultDensity;
  if (v.massKg !== undefined && v.volumeMl !== undefined) fail(field, "must give massKg or volumeMl, not both", fileName);
  if (v.massKg !== undefined) return { massKg: v.massKg, densityGPerMl };
  if (v.volumeMl !== undefined) {
    const massKg = (v.volumeMl * densityGPerMl) / 1000;
    if (!(massKg <= MASS_RANGE.max)) fail(`${field}.volumeMl`, `gives a mass of ${massKg} kg, above ${MASS_RANGE.max} kg`, fileName);
    return { massKg, densityGPerMl };
  }
  return fail(field, "must give massKg or volumeMl", fileName);
}

/**
 * Validate a case file's JSON and return the planning case (defaults applied, volumes turned into
 * masses). Throws InputError naming the first offending field and its allowed range.
 */
export function parseCase(json: unknown, fileName?: string): PlanningCase {
  const result = caseSchema.safeParse(json);
  if (!result.success) {
    // Report the first issue in document order: one clear line.
    // Report one issue: an unknown key first (a misspelt key also makes its intended key
    // "missing"), else the first in document order.
    const issues = result.error.issues;
    throw issueToError(issues.find((i) => i.code === "unrecognized_keys") ?? issues[0], fileName);
  }
  const c = result.data;
  const density = c.densityGPerMl ?? DEFAULT_TISSUE_DENSITY_G_PER_ML;

  const names = new Set<string>();
  const compartments: PlanningCompartment[] = c.compartments.map((comp, i) => {
    const path = `compartments[${i}]`;
    if (RESERVED_COMPARTMENT_NAMES.includes(comp.name)) fail(`${path}.name`, `must not be "${comp.name}" (reserved)`, fileName);
    if (comp.name === PERFUSED_TARGET && c.compartments.length > 1) {
      fail(`${path}.name`, `may be "${PERFUSED_TARGET}" only when it is the only compartment`, fileName);
    }
    if (names.has(comp.name)) fail(`${path}.name`, `"${comp.name}" is used by two compartments`, fileName);
    names.add(comp.name);
    if (comp.tumourToNormalRatio !== undefined && comp.kind !== "tumour") {
      fail(`${path}.tumourToNormalRatio`, `is only for kind "tumour" (normal liver is 1 by definition)`, fileName);
    }
    if (c.method === "partition") {
      if (comp.kind === "perfused") fail(`${path}.kind`, `must be "tumour" or "normal" for method partition`, fileName);
      if (comp.kind === "tumour" && comp.tumourToNormalRatio === undefined) {
        fail(`${path}.tumourToNormalRatio`, "is required for method partition (a T/N concentration ratio in (0, 1000])", fileName);
      }
    }
    const { massKg, densityGPerMl } = massFrom(path, comp, density, fileName);
    return {
      name: comp.name,
      kind: comp.kind,
      massKg,
      densityGPerMl,
      ...(comp.tumourToNormalRatio !== undefined ? { tumourToNormalRatio: comp.tumourToNormalRatio } : {}),
    };
  });

  const forwardOrInverse = (["target", "activityGBq", "activityAtCalibrationGBq"] as const).filter((k) => c[k] !== undefined);
  if (c.method === "bsa") {
    if (forwardOrInverse.length > 0) fail(forwardOrInverse[0], "is not used by method bsa (the BSA formula sets the activity)", fileName);
    if (c.patient === undefined) fail("patient", "is required for method bsa (heightCm and weightKg, or bsaM2)", fileName);
    if (c.patient.bsaM2 === undefined) {
      if (c.patient.heightCm === undefined) fail("patient.heightCm", "is required for method bsa (a length in [30, 250] cm)", fileName);
      if (c.patient.weightKg === undefined) fail("patient.weightKg", "is required for method bsa (a mass in [2, 400] kg)", fileName);
    }
  } else {
    if (forwardOrInverse.length === 0) {
      fail("target", `is required for method ${c.method} (or activityGBq / activityAtCalibrationGBq for a forward plan)`, fileName);
    }
    if (forwardOrInverse.length > 1) fail(forwardOrInverse[1], `cannot be given together with ${forwardOrInverse[0]}`, fileName);
  }
  let target: PlanningCase["target"];
  if (c.target !== undefined) {
    const name = c.target.compartment ?? (c.method === "mird" ? PERFUSED_TARGET : undefined);
    if (name === undefined) fail("target.compartment", `is required for method ${c.method}`, fileName);
    const allowed = [...names, PERFUSED_TARGET, LUNG_TARGET];
    if (!allowed.includes(name)) fail("target.compartment", `must be one of ${allowed.join(", ")}, got ${JSON.stringify(name)}`, fileName);
    if (name === LUNG_TARGET && c.lungShuntFraction === 0) fail("target.compartment", '"lung" needs lungShuntFraction > 0', fileName);
    if (c.method === "mird" && name !== PERFUSED_TARGET && name !== LUNG_TARGET && compartments.length > 1) {
      fail("target.compartment", `must be "${PERFUSED_TARGET}" or "${LUNG_TARGET}" for method mird with several compartments (MIRD plans the mean perfused dose), got ${JSON.stringify(name)}`, fileName);
    }
    target = { compartment: name, doseGy: c.target.doseGy };
  }

  let timing: PlanningCase["timing"];
  if ((c.calibrationTime === undefined) !== (c.treatmentTime === undefined)) {
    fail(c.calibrationTime === undefined ? "calibrationTime" : "treatmentTime", "is required when the other of calibrationTime / treatmentTime is given", fileName);
  }
  if (c.calibrationTime !== undefined && c.treatmentTime !== undefined) {
    if (c.hoursCalibrationToTreatment !== undefined) fail("hoursCalibrationToTreatment", "cannot be given together with calibrationTime and treatmentTime", fileName);
    const hours = hoursBetween(c.calibrationTime, c.treatmentTime);
    if (!Number.isFinite(hours) || Math.abs(hours) > 1000) {
      fail("treatmentTime", `must be within 1000 h of calibrationTime, got ${hours} h`, fileName);
    }
    timing = { hoursCalibrationToTreatment: hours, calibrationTime: c.calibrationTime, treatmentTime: c.treatmentTime };
  } else if (c.hoursCalibrationToTreatment !== undefined) {
    timing = { hoursCalibrationToTreatment: c.hoursCalibrationToTreatment };
  }

  let wholeLiverMassKg: number | undefined;
  // Only the BSA formula reads the whole liver (its perfused fraction scales the activity); MIRD
  // and the partition model dose the perfused compartments alone, so a wholeLiver there would be
  // accepted with no effect: refused instead (issue 19 §4).
  if (c.wholeLiver !== undefined && c.method !== "bsa") {
    fail("wholeLiver", `is used only by method bsa (the perfused fraction of the liver in the BSA formula); method ${c.method} doses the compartments alone: remove it`, fileName);
  }
  if (c.wholeLiver !== undefined) {
    wholeLiverMassKg = massFrom("wholeLiver", c.wholeLiver, density, fileName).massKg;
    const perfusedKg = compartments.reduce((s, comp) => s + comp.massKg, 0);
    if (wholeLiverMassKg < perfusedKg * (1 - 1e-9)) {
      fail("wholeLiver", `must be at least the perfused mass ${perfusedKg.toFixed(4)} kg (sum of compartments), got ${wholeLiverMassKg} kg`, fileName);
    }
  }

  return {
    product: c.product,
    method: c.method,
    lungShuntFraction: c.lungShuntFraction,
    lungMassKg: c.lungMassKg ?? DEFAULT_LUNG_MASS_KG,
    priorLungDoseGy: c.priorLungDoseGy ?? 0,
    ...(c.patient !== undefined ? { patient: c.patient } : {}),
    compartments,
    ...(wholeLiverMassKg !== undefined ? { wholeLiverMassKg } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(c.activityGBq !== undefined ? { activityGBq: c.activityGBq } : {}),
    ...(c.activityAtCalibrationGBq !== undefined ? { activityAtCalibrationGBq: c.activityAtCalibrationGBq } : {}),
    ...(c.doseCoefficientGyKgPerGBq !== undefined ? { doseCoefficientGyKgPerGBq: c.doseCoefficientGyKgPerGBq } : {}),
    indication: c.indication ?? "other",
    scenario: c.scenario ?? "whole-liver",
    pretreated: c.pretreated ?? false,
    ...(c.limits !== undefined ? { limits: c.limits } : {}),
    ...(timing !== undefined ? { timing } : {}),
    ...(c.residualFraction !== undefined ? { residualFraction: c.residualFraction } : {}),
  };
}

/**
 * The schema editors see: planning fields plus the simulation sections, each with the schema of
 * the stage that validates it. `compartments` is optional there because a simulation derives
 * them from `geometry` (src/pipeline/caseInput.ts); `sirtsim plan` still requires them.
 */
export const simulationCaseSchema = caseSchema.extend({
  compartments: caseSchema.shape.compartments.optional(),
  geometry: geometrySchema.optional(),
  tree: treeSchema.optional(),
  injection: injectionSchema.optional(),
  transport: transportSchema.optional(),
  dose: doseConfigSchema.optional(),
  report: reportConfigSchema.optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional().meta({ description: "Seed of the simulation's random streams (transport, lodging positions); default 20261126." }),
  name: z.string().optional().meta({ description: "Case name shown in reports." }),
  description: z.string().optional().meta({ description: "Free text: the case and the sources of its numbers." }),
});

/** The JSON Schema of case files (zod 4 `toJSONSchema`, input side: numbers or unit strings). */
export function caseJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(simulationCaseSchema, {
    io: "input",
    target: "draft-2020-12",
    // A quantity is a bounded number in the field's unit, or a string with a unit.
    override: (ctx) => {
      const q = quantitySpecs.get(ctx.zodSchema);
      if (q === undefined) return;
      const js = ctx.jsonSchema as Record<string, unknown>;
      const n: Record<string, unknown> = { type: "number" };
      n[q.range.minOpen ? "exclusiveMinimum" : "minimum"] = q.range.min;
      n[q.range.maxOpen ? "exclusiveMaximum" : "maximum"] = q.range.max;
      const kindSpec = QUANTITY_KINDS[q.kind];
      delete js.type;
      const text =
        q.kind === "fraction"
          ? 'a percentage, e.g. "8 %"'
          : kindSpec.unit === ""
            ? "the number written as a string"
            : `${kindSpec.noun} with a unit (${kindSpec.examples})`;
      js.anyOf = [n, { type: "string", description: text }];
    },
  }) as Record<string, unknown>;
}

/** The text of schema/case.schema.json (2-space JSON with a trailing newline). */
export function caseSchemaJsonText(): string {
  return `${JSON.stringify(caseJsonSchema(), null, 2)}\n`;
}

/**
 * The case file's `geometry` and `tree` sections: zod 4 schemas with a default and a one-line
 * description for every option, and parsers that turn untrusted JSON into the plain
 * configurations of buildDomain (src/geometry/build.ts) and growTree (grow.ts). Errors are
 * InputErrors naming the field path, e.g. `tree.murrayExponent: must be ≤ 4, got 5`.
 */
import { z } from "zod";
import { sectionInputError } from "../sectionError.js";
import { InputError } from "../errors.js";
import { DEFAULT_LIVER_ELLIPSOIDS } from "../geometry/build.js";
import type { GeometryConfig } from "../geometry/build.js";
import type { Vec3 } from "../geometry/grid.js";
import { DEFAULT_GROW_OPTIONS, TERMINALS_RANGE } from "./grow.js";
import type { GrowOptions } from "./grow.js";

const finite = () => z.number().refine(Number.isFinite, "must be a finite number");
const vec3 = (description: string) => z.tuple([finite(), finite(), finite()]).describe(description);
const positiveVec3 = (description: string) => z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).describe(description);

const ellipsoidSchema = z
  .object({
    name: z.string().optional().describe("label for reports"),
    centerMm: vec3("centre, mm (RAS: +x patient right, +y anterior, +z superior)"),
    semiAxesMm: positiveVec3("semi-axes along x, y, z, mm"),
  })
  .strict();

const tumourSchema = z
  .object({
    name: z.string().min(1).describe("tumour name (compartment name in the outputs)"),
    centerMm: vec3("centre, mm (analytic tumours)").optional(),
    radiusMm: z.number().positive().optional().describe("sphere radius, mm (or semiAxesMm)"),
    semiAxesMm: positiveVec3("ellipsoid semi-axes, mm (or radiusMm)").optional(),
    maskLabel: z.number().int().min(1).max(255).optional().describe("voxel value of the tumour in the mask (mask domains)"),
    necroticMaskLabel: z.number().int().min(1).max(255).optional().describe("voxel value of its necrotic core in the mask"),
    tnRatio: z.number().positive().max(100).default(3).describe("arterial flow per unit volume relative to normal liver (T/N); NET metastases 2–8, ~3 typical"),
    necroticCoreFraction: z.number().min(0).lt(1).default(0).describe("necrotic core (no flow) as a fraction of the tumour's normalised radius; 0 = none"),
    rim: z
      .object({
        thicknessFraction: z.number().gt(0).max(1).describe("outer shell thickness as a fraction of the normalised radius"),
        tnRatio: z.number().positive().max(100).describe("T/N of the hypervascular rim"),
      })
      .strict()
      .optional()
      .describe("hypervascular rim; absent = uniform tumour"),
    terminalPressureMmHg: z.number().min(0).max(300).optional().describe("outflow pressure of the tumour's terminal arterioles, mmHg (below tree.inletPressureMmHg); absent = tree.terminalPressureMmHg"),
  })
  .strict();

/**
 * Patient images instead of `mask` + `tumours` (issue 16.5): read and turned into a mask geometry
 * by src/pipeline/patientImages.ts (readCaseFile) before the case is validated, so this section
 * never reaches buildDomain; a caller that skips that step is refused below rather than given the
 * default analytic liver.
 */
export const caseImagesSchema = z
  .object({
    ct: z.string().min(1).optional().describe("CT the VOIs were drawn on: DICOM folder/file or NIfTI (HU); needed for RTSTRUCT/SEG VOIs; the mask and the dose are on its frame of reference"),
    labels: z.string().min(1).describe("VOIs: NIfTI label map, RTSTRUCT or SEG; one named \"liver\" (normal liver), tumours by name (tumour/lesion/GTV/HCC), an optional lung VOI"),
    labelNames: z.string().min(1).optional().describe("name table of a NIfTI label map (default: LABELS.json beside it)"),
    maa: z.string().min(1).optional().describe("Tc-99m MAA SPECT (counts or Bq/mL), DICOM or NIfTI: tumour T/N from counts per VOI, and the lung shunt from a lung VOI when lungShuntFraction is not stated"),
  })
  .strict();

export const geometrySchema = z
  .object({
    liver: z
      .object({
        ellipsoids: z.array(ellipsoidSchema).min(1).default([...DEFAULT_LIVER_ELLIPSOIDS].map((e) => ({ ...e, centerMm: [...e.centerMm] as Vec3, semiAxesMm: [...e.semiAxesMm] as Vec3 }))).describe("the liver as a union of ellipsoids; default: right + left lobes, 1.59 L, 59 % right of x = 0"),
      })
      .strict()
      .default({ ellipsoids: [...DEFAULT_LIVER_ELLIPSOIDS].map((e) => ({ ...e, centerMm: [...e.centerMm] as Vec3, semiAxesMm: [...e.semiAxesMm] as Vec3 })) })
      .describe("analytic liver (ignored when `mask` is given)"),
    tumours: z.array(tumourSchema).default([]).describe("tumours in priority order (the first one wins where they overlap)"),
    mask: z
      .object({ file: z.string().min(1).describe("label image (NIfTI): 0 outside, tumour labels as in `tumours`, other values liver") })
      .strict()
      .optional()
      .describe("liver from a label image instead of ellipsoids; the caller reads it"),
    images: caseImagesSchema.optional().describe("liver, tumours (T/N from MAA counts) and lung shunt from patient images, paths relative to the case file; `simulate` also writes rtdose.dcm on the CT's frame"),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.images !== undefined) ctx.addIssue({ code: "custom", path: ["images"], message: "patient images are read by the commands that take a case file (sirtsim simulate, plan, tree, transport), not here" });
  });

/** What tree.terminals and --terminals accept, as their refusals say it. */
export const TERMINALS_ACCEPTED = `must be an integer in [${TERMINALS_RANGE.min}, ${TERMINALS_RANGE.max}] or "auto"`;

export const treeSchema = z
  .object({
    terminals: z
      .union([z.number().int().min(TERMINALS_RANGE.min).max(TERMINALS_RANGE.max), z.literal("auto")], { error: TERMINALS_ACCEPTED })
      .default("auto")
      .describe("number of terminal arterioles, or \"auto\" (default): the perfused tissue over the tissue per terminal at which the resolution study found the dose metrics and the sub-millimetre spread within 2 % of the portal-tract tree's (16.4 mg; 100,000 terminals for the default 1.59 L liver; docs/transport.md \"Resolution study\"). ~1.5e6 = whole liver at portal-tract resolution (~1 per mg); a run outside that band says so (summary.json resolution). Memory ~2.1 kB per terminal (1.5e6: ~3.2 GiB; the maximum 5e7 needs ~98 GiB): a run above --max-memory is refused before any work (docs/case-file.md)"),
    optimisedTerminals: z.number().int().min(1).max(1_000_000).default(DEFAULT_GROW_OPTIONS.optimisedTerminals).describe("terminals of the optimised (CCO) part, i.e. territories; default 2000 ends at ≈ 0.1 mm radius"),
    murrayExponent: z.number().min(2).max(4).default(DEFAULT_GROW_OPTIONS.murrayExponent).describe("γ in r_p^γ = r_1^γ + r_2^γ (Murray 1926: 3; hepatic arteries 2.7–3)"),
    rootFlowMlPerMin: z
      .union([z.number().positive().max(1e5), z.literal("auto")], { error: 'must be a number in (0, 100000] or "auto"' })
      .default("auto")
      .describe("flow into the proper hepatic artery, mL/min, or \"auto\" (default): 400 mL/min for the default 1.59 L liver, scaled by the liver's volume (the same arterial flow per mL of liver, so the lumens per tissue mass are the default liver's; docs/vascular.md)"),
    inletPressureMmHg: z.number().positive().max(300).default(DEFAULT_GROW_OPTIONS.inletPressureMmHg).describe("pressure at the proper hepatic inlet, mmHg"),
    terminalPressureMmHg: z.number().min(0).max(300).default(DEFAULT_GROW_OPTIONS.terminalPressureMmHg).describe("pressure at every terminal, mmHg"),
    viscosityMPaS: z.number().positive().max(100).default(DEFAULT_GROW_OPTIONS.viscosityMPaS).describe("blood dynamic viscosity, mPa·s"),
    branchFraction: z.number().gt(0).max(1).default(DEFAULT_GROW_OPTIONS.branchFraction).describe("bisection subtrees: branch point at this fraction of the way from the parent's branch point to the centroid"),
    asymmetry: z.number().min(0).max(4).default(DEFAULT_GROW_OPTIONS.asymmetry).describe("bisection subtrees: the smaller daughter gets a share ½·U^a of the sites (U uniform, one draw per bifurcation); 0 = median split (symmetric), 1 = uniform share (Horton R_B ≈ 3.1; arterial casts 3–3.6, Kassab 1993)"),
    rightFraction: z.number().min(0).max(1).default(DEFAULT_GROW_OPTIONS.rightFraction).describe("share of terminals right of the Cantlie plane (right hemiliver)"),
    caudateFraction: z.number().min(0).max(0.5).default(DEFAULT_GROW_OPTIONS.caudateFraction).describe("share of terminals in the caudate lobe (S1)"),
    candidateSegments: z.number().int().min(1).max(1000).default(DEFAULT_GROW_OPTIONS.candidateSegments).describe("nearest segments tried per optimised terminal"),
    hilumMm: vec3("distal end of the proper hepatic artery, mm; default derived from the geometry").optional(),
    inletOffsetMm: vec3("inlet of the proper hepatic artery relative to the hilum, mm").default([...DEFAULT_GROW_OPTIONS.inletOffsetMm] as Vec3),
    nonTarget: z
      .object({
        name: z.string().min(1).describe("name of the non-target branch"),
        flowMlPerMin: z.number().min(0).max(1e4).describe("its baseline flow, mL/min"),
        radiusMm: z.number().positive().max(20).describe("its radius, mm"),
      })
      .strict()
      .nullable()
      .default({ ...DEFAULT_GROW_OPTIONS.nonTarget! })
      .describe("branch leaving at the proper hepatic inlet where reflux goes (gastroduodenal by default); null for none"),
    seed: z.number().int().min(0).max(0xffffffff).default(1).describe("seed of the growth (same seed ⇒ same tree)"),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.inletPressureMmHg <= t.terminalPressureMmHg) {
      ctx.addIssue({ code: "custom", path: ["inletPressureMmHg"], message: `must be greater than terminalPressureMmHg (${t.terminalPressureMmHg}), got ${t.inletPressureMmHg}` });
    }
  });

export type TreeSection = GrowOptions & { readonly seed: number };

/** Validate the `geometry` section (undefined → all defaults). */
export function parseGeometrySection(json: unknown): GeometryConfig {
  const r = geometrySchema.safeParse(json ?? {}, { reportInput: true });
  if (!r.success) throw sectionInputError("geometry", r.error);
  return r.data as GeometryConfig;
}

/** The validated `tree` section before its terminal count is resolved: `terminals` may be "auto". */
export type TreeSectionInput = Omit<TreeSection, "terminals"> & { readonly terminals: number | "auto" };

/** Validate the `tree` section (undefined → all defaults), leaving `terminals: "auto"` unresolved. */
export function parseTreeInput(json: unknown): TreeSectionInput {
  const r = treeSchema.safeParse(json ?? {}, { reportInput: true });
  if (!r.success) throw sectionInputError("tree", r.error);
  return r.data as TreeSectionInput;
}

/**
 * The tree section with its terminal count: `terminals: "auto"` becomes `autoTerminals()` (the
 * pipeline's count for the case's liver, src/transport/resolution.ts autoTerminals: the vascular layer does not
 * know the resolution study). Without `autoTerminals`, "auto" is refused: the count needs the liver.
 */
export function withTerminals(tree: TreeSectionInput, autoTerminals?: () => number): TreeSection {
  if (tree.terminals !== "auto") return tree as TreeSection;
  if (!autoTerminals) throw new InputError("tree.terminals", 'tree.terminals "auto" needs the case\'s liver to count the terminals; give a number');
  return { ...tree, terminals: autoTerminals() };
}

/** Validate the `tree` section (undefined → all defaults); "auto" terminals resolved by `autoTerminals` (withTerminals). */
export function parseTreeSection(json: unknown, autoTerminals?: () => number): TreeSection {
  return withTerminals(parseTreeInput(json), autoTerminals);
}

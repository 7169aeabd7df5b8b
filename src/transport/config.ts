/**
 * The case file's `injection` and `transport` sections: zod 4 schemas with a default and a
 * one-line description for every option, a parser that turns untrusted JSON into plain options
 * (errors are InputErrors naming the field path), and the mapping onto simulateTransport's options.
 */
import { z } from "zod";
import { InputError } from "../errors.js";
import { sectionInputError } from "../sectionError.js";
import { PRODUCTS, PRODUCT_IDS, type ProductId } from "../physics/products.js";
import type { ArterialTree } from "../vascular/tree.js";
import type { Domain } from "../geometry/domain.js";
import { spherePopulation, type SpherePopulation } from "./population.js";
import { wedgeCompartments } from "./positions.js";
import type { TransportOptions } from "./simulate.js";
import { EMBOLIC_DEFAULTS, EMBOLIC_RANGES, SUBTERMINAL_DEFAULTS, SUBTERMINAL_RANGES, TRANSPORT_DEFAULTS, TRANSPORT_RANGES, type OptionRange } from "./defaults.js";

/** A number in `r` (the shared table of defaults.ts), as zod checks it. */
function inRange(r: OptionRange, integer = false): z.ZodNumber {
  let n = integer ? z.number().int() : z.number();
  n = r.minOpen ? n.gt(r.min) : n.min(r.min);
  return r.maxOpen ? n.lt(r.max) : n.max(r.max);
}
import { CASE_HETEROGENEITY_MODELS, FRACTAL_DEFAULTS, type CaseHeterogeneityModelName } from "./models/heterogeneity.js";

export const injectionSchema = z
  .object({
    product: z.enum(PRODUCT_IDS as [ProductId, ...ProductId[]]).default("sir-spheres").describe("microsphere product (src/physics/products.ts)"),
    activityGBq: z.number().gt(0).max(100).default(3).describe("activity injected (delivered, at injection time), GBq"),
    hoursAfterCalibration: z.number().min(-1000).max(1000).default(0).describe("time from the product's calibration to the injection, h (decay raises the sphere count per GBq)"),
    entryPoint: z.union([z.string().min(1), z.number().int().min(0)]).default("root").describe("injection site: a named entry point of the tree (e.g. \"right-hepatic\"), \"root\", or a segment index"),
    lungShuntFraction: inRange(TRANSPORT_RANGES.lungShuntFraction).default(TRANSPORT_DEFAULTS.lungShuntFraction).describe("lung shunt fraction (Tc-99m MAA), 0..1: each sphere passes to the lungs with this probability"),
  })
  .strict();

export const embolicSchema = z
  .object({
    enabled: z.boolean().default(EMBOLIC_DEFAULTS.enabled).describe("lodged spheres choke their vessel and flows are re-solved between batches"),
    plugLengthMm: inRange(EMBOLIC_RANGES.plugLengthMm).default(EMBOLIC_DEFAULTS.plugLengthMm).describe("length of a stopping site's feeding vessel that spheres fill in single file before the site is occluded, mm: a stopping site (a vessel where spheres stop by size) holds plugLengthMm / mean diameter spheres (capacity from geometry, docs/transport.md; calibrated on resin stasis, docs/validation.md)"),
    portalTractsPerMg: inRange(EMBOLIC_RANGES.portalTractsPerMg).default(EMBOLIC_DEFAULTS.portalTractsPerMg).describe("portal tracts per mg of normally perfused tissue (~1): the most stopping sites a terminal's unresolved subtree can end in (its flow's share of them)"),
    capacitySpheres: inRange(EMBOLIC_RANGES.capacitySpheres).nullable().default(EMBOLIC_DEFAULTS.capacitySpheres).describe("numerical override: every vessel plugs at this many spheres, whatever its size (depends on the tree's resolution); null = capacity from geometry"),
    capacitySpheresPerMl: inRange(EMBOLIC_RANGES.capacitySpheresPerMl).nullable().default(EMBOLIC_DEFAULTS.capacitySpheresPerMl).describe("numerical override: a terminal's capacity per mL of its territory; null = from geometry (plugLengthMm, portalTractsPerMg, the product's sphere sizes, the tree's Murray exponent)"),
    batchTolerance: inRange(EMBOLIC_RANGES.batchTolerance).default(EMBOLIC_DEFAULTS.batchTolerance).describe("adaptive batch size: the largest flow drift within one batch that batchRule allows, fraction (docs/transport.md)"),
    batchRule: z.enum(["subtree", "vessel"]).default(EMBOLIC_DEFAULTS.batchRule).describe("what batchTolerance bounds: \"subtree\", the sphere-weighted drift of the vessels' flows within every subtree 6 generations below the entry (batch count independent of the tree's resolution and of cutDepth), or \"vessel\", every vessel's own conductance change (docs/transport.md)"),
    batchSpheres: inRange(EMBOLIC_RANGES.batchSpheres, true).default(EMBOLIC_DEFAULTS.batchSpheres).describe("fixed batch size in spheres instead of the adaptive one; 0 = adaptive"),
    refluxThresholdFraction: inRange(EMBOLIC_RANGES.refluxThresholdFraction).default(EMBOLIC_DEFAULTS.refluxThresholdFraction).describe("stasis when the injected segment's flow falls below this fraction of its baseline; the remaining spheres reflux"),
  })
  .strict();

export const heterogeneitySchema = z
  .object({
    model: z
      .enum(Object.keys(CASE_HETEROGENEITY_MODELS) as [CaseHeterogeneityModelName, ...CaseHeterogeneityModelName[]])
      .default(TRANSPORT_DEFAULTS.heterogeneityModel)
      .describe(`perfusion heterogeneity: ${Object.entries(CASE_HETEROGENEITY_MODELS).map(([name, what]) => `"${name}" (${what})`).join(", ")}`),
    relativeDispersionAt1g: z.number().min(0).max(10).default(FRACTAL_DEFAULTS.relativeDispersionAt1g).describe("fractal: relative dispersion of flow per unit mass among 1 g pieces (default calibrated to 49.6 % at 1 mg, Weiss 2012)"),
    fractalDimension: z.number().min(1).lt(1.5).default(FRACTAL_DEFAULTS.fractalDimension).describe("fractal: D of RD(m) = RD(1 g)·m^(1 − D) (1.2: Bassingthwaighte 1989)"),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe("with the tree's seed, keys the heterogeneity map (fixed for the treatment; not the transport's Monte Carlo seed)"),
    unitMassMg: inRange(SUBTERMINAL_RANGES.unitMassMg).default(SUBTERMINAL_DEFAULTS.unitMassMg).describe("fractal: each terminal's territory is split by the same law down to pieces of this mass, mg (1 mg ≈ one portal tract; docs/transport.md)"),
  })
  .strict();

export const transportSchema = z
  .object({
    algorithm: z.enum(["cascade", "walk"]).default(TRANSPORT_DEFAULTS.algorithm).describe("binomial cascade (fast) or per-sphere reference walk (O(spheres × depth))"),
    bias: inRange(TRANSPORT_RANGES.bias).default(TRANSPORT_DEFAULTS.bias).describe("heterogeneity model \"walrand-bias\": one daughter per bifurcation, chosen at random once per tree, gets odds s/(1 − s) (Walrand 2014 used 0.6); must stay 0.5 with the other models"),
    heterogeneity: heterogeneitySchema.default(heterogeneitySchema.parse({})).describe("perfusion heterogeneity model"),
    streamlineNoiseConcentration: inRange(TRANSPORT_RANGES.streamlineNoiseConcentration).default(TRANSPORT_DEFAULTS.streamlineNoiseConcentration).describe("Beta concentration κ of the per-bifurcation, per-batch split noise; 0 = none"),
    sizeExclusion: z.boolean().default(true).describe("a sphere cannot enter a vessel narrower than itself and lodges at its inlet (resolved vessels, and with the fractal model the unresolved arterioles below a terminal)"),
    tumourShuntFractions: z.record(z.string(), z.number().min(0).max(1)).default({}).describe("intratumoral arteriovenous shunt to the lungs, by tumour name, 0..1"),
    embolic: embolicSchema.default(embolicSchema.parse({})).describe("embolic feedback"),
    cutDepth: inRange(TRANSPORT_RANGES.cutDepth, true).default(TRANSPORT_DEFAULTS.cutDepth).describe("generations below the entry where each batch is cut into independent work units: splits work only (results bit-identical for every cutDepth up to 9; deeper, equal in distribution)"),
    clusterDistanceMm: inRange(TRANSPORT_RANGES.clusterDistanceMm).default(TRANSPORT_DEFAULTS.clusterDistanceMm).describe("lodging points of connected vessels within this distance form one cluster, mm"),
    timelinePoints: inRange(TRANSPORT_RANGES.timelinePoints, true).default(TRANSPORT_DEFAULTS.timelinePoints).describe("without feedback: equal batches (timeline points) of the injection; with feedback every batch is a point"),
  })
  .strict();

export type InjectionSection = z.infer<typeof injectionSchema>;
export type TransportSection = z.infer<typeof transportSchema>;

/** Validate the `injection` and `transport` sections of a case file (absent → all defaults). */
export function parseTransportSections(json: unknown): { injection: InjectionSection; transport: TransportSection } {
  const doc = (json ?? {}) as Record<string, unknown>;
  const injection = injectionSchema.safeParse(doc.injection ?? {}, { reportInput: true });
  if (!injection.success) throw sectionInputError("injection", injection.error);
  const transport = transportSchema.safeParse(doc.transport ?? {}, { reportInput: true });
  if (!transport.success) throw sectionInputError("transport", transport.error);
  if (transport.data.bias !== 0.5 && transport.data.heterogeneity.model !== "walrand-bias") {
    throw new InputError("transport.bias", `transport.bias ${transport.data.bias} applies to transport.heterogeneity.model "walrand-bias" only (model is "${transport.data.heterogeneity.model}")`);
  }
  return { injection: injection.data, transport: transport.data };
}

/** Resolve the injection site to a segment index of `tree`. */
export function entrySegmentOf(tree: ArterialTree, entryPoint: string | number): number {
  if (typeof entryPoint === "number") {
    if (entryPoint >= tree.segmentCount) {
      throw new InputError("injection.entryPoint", `injection.entryPoint must be in [0, ${tree.segmentCount - 1}], got ${entryPoint}`);
    }
    return entryPoint;
  }
  if (entryPoint === "root") return 0;
  const segment = tree.entryPoints[entryPoint];
  if (segment === undefined) {
    throw new InputError("injection.entryPoint", `injection.entryPoint: no entry point named "${entryPoint}" (known: root, ${Object.keys(tree.entryPoints).join(", ")})`);
  }
  return segment;
}

/** simulateTransport options (and the sphere population) for a parsed case on `tree`. */
export function transportOptionsFromSections(
  tree: ArterialTree,
  sections: { injection: InjectionSection; transport: TransportSection },
  domain: Domain | null = null,
): { options: TransportOptions; population: SpherePopulation } {
  const { injection, transport } = sections;
  const population = spherePopulation(PRODUCTS[injection.product], injection.activityGBq, injection.hoursAfterCalibration);
  const options: TransportOptions = {
    spheres: population.sphereCount,
    entrySegment: entrySegmentOf(tree, injection.entryPoint),
    diameterUm: transport.sizeExclusion ? population.diameterUm : null,
    bias: transport.bias,
    heterogeneity: transport.heterogeneity,
    noiseConcentration: transport.streamlineNoiseConcentration,
    lungShuntFraction: injection.lungShuntFraction,
    tumourShuntFractions: transport.tumourShuntFractions,
    embolic: { ...transport.embolic, sphereDiameterUm: population.diameterUm },
    algorithm: transport.algorithm,
    cutDepth: transport.cutDepth,
    clusterDistanceMm: transport.clusterDistanceMm,
    timelinePoints: transport.timelinePoints,
    activityPerSphereBq: population.activityPerSphereBq,
    // Where wedged spheres count: the tissue they sit in (null without the case's geometry).
    wedgeCompartment: domain == null ? null : wedgeCompartments(tree, domain),
  };
  return { options, population };
}

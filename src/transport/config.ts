/**
 * The case file's `injection` and `transport` sections: zod 4 schemas with a default and a
 * one-line description for every option, a parser that turns untrusted JSON into plain options
 * (errors are InputErrors naming the field path), and the mapping onto simulateTransport's options.
 */
import { CAPACITY_DEFAULTS } from "./models/capacity.js";
import { z } from "zod";
import { InputError } from "../errors.js";
import { sectionInputError } from "../sectionError.js";
import { PRODUCTS, PRODUCT_IDS, type ProductId } from "../physics/products.js";
import type { ArterialTree } from "../vascular/tree.js";
import { spherePopulation, type SpherePopulation } from "./population.js";
import type { TransportOptions } from "./simulate.js";
import { FRACTAL_DEFAULTS } from "./models/heterogeneity.js";

export const injectionSchema = z
  .object({
    product: z.enum(PRODUCT_IDS as [ProductId, ...ProductId[]]).default("sir-spheres").describe("microsphere product (src/physics/products.ts)"),
    activityGBq: z.number().gt(0).max(100).default(3).describe("activity injected (delivered, at injection time), GBq"),
    hoursAfterCalibration: z.number().min(-1000).max(1000).default(0).describe("time from the product's calibration to the injection, h (decay raises the sphere count per GBq)"),
    entryPoint: z.union([z.string().min(1), z.number().int().min(0)]).default("root").describe("injection site: a named entry point of the tree (e.g. \"right-hepatic\"), \"root\", or a segment index"),
    lungShuntFraction: z.number().min(0).max(1).default(0).describe("lung shunt fraction (Tc-99m MAA), 0..1: each sphere passes to the lungs with this probability"),
  })
  .strict();

export const embolicSchema = z
  .object({
    enabled: z.boolean().default(true).describe("lodged spheres choke their vessel and flows are re-solved between batches"),
    plugLengthMm: z.number().gt(0).max(1000).default(CAPACITY_DEFAULTS.plugLengthMm).describe("length of a portal tract's feeding vessel that spheres fill in single file before the tract is occluded, mm (capacity from geometry, docs/transport.md; calibrated on resin stasis, docs/validation.md)"),
    portalTractsPerMg: z.number().gt(0).max(1000).default(CAPACITY_DEFAULTS.portalTractsPerMg).describe("portal tracts (parallel arterioles a terminal's unresolved subtree ends in) per mg of tissue (~1)"),
    capacitySpheres: z.number().gt(0).max(1e9).nullable().default(null).describe("numerical override: every vessel plugs at this many spheres, whatever its size (depends on the tree's resolution); null = capacity from geometry"),
    capacitySpheresPerMl: z.number().gt(0).max(1e9).nullable().default(null).describe("numerical override: a terminal's capacity per mL of its territory; null = from geometry (plugLengthMm, portalTractsPerMg, the product's sphere size)"),
    batchTolerance: z.number().gt(0).max(1).default(0.05).describe("largest conductance change of any vessel within one batch, fraction of its baseline (sets the adaptive batch size)"),
    batchSpheres: z.number().int().min(0).max(2 ** 32).default(0).describe("fixed batch size in spheres instead of the adaptive one; 0 = adaptive"),
    refluxThresholdFraction: z.number().min(0).max(1).default(0.1).describe("stasis when the injected segment's flow falls below this fraction of its baseline; the remaining spheres reflux"),
  })
  .strict();

export const heterogeneitySchema = z
  .object({
    model: z.enum(["fractal", "flow", "walrand-bias"]).default("fractal").describe("perfusion heterogeneity: \"fractal\" (RD(m) = RD(1 g)·m^(1 − D), fixed per tree; docs/transport.md), \"flow\" (spheres follow the tree's flow), \"walrand-bias\" (odds s/(1 − s) for a random daughter per bifurcation, s = transport.bias; depends on the tree's depth)"),
    relativeDispersionAt1g: z.number().min(0).max(10).default(FRACTAL_DEFAULTS.relativeDispersionAt1g).describe("fractal: relative dispersion of flow per unit mass among 1 g pieces (default calibrated to 49.6 % at 1 mg, Weiss 2012)"),
    fractalDimension: z.number().min(1).lt(1.5).default(FRACTAL_DEFAULTS.fractalDimension).describe("fractal: D of RD(m) = RD(1 g)·m^(1 − D) (1.2: Bassingthwaighte 1989)"),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe("with the tree's seed, keys the heterogeneity map (fixed for the treatment; not the transport's Monte Carlo seed)"),
  })
  .strict();

export const transportSchema = z
  .object({
    algorithm: z.enum(["cascade", "walk"]).default("cascade").describe("binomial cascade (fast) or per-sphere reference walk (O(spheres × depth))"),
    bias: z.number().gt(0).lt(1).default(0.5).describe("heterogeneity model \"walrand-bias\": one daughter per bifurcation, chosen at random once per tree, gets odds s/(1 − s) (Walrand 2014 used 0.6); must stay 0.5 with the other models"),
    heterogeneity: heterogeneitySchema.default(heterogeneitySchema.parse({})).describe("perfusion heterogeneity model"),
    streamlineNoiseConcentration: z.number().min(0).max(1e12).default(0).describe("Beta concentration κ of the per-bifurcation, per-batch split noise; 0 = none"),
    sizeExclusion: z.boolean().default(true).describe("a sphere cannot enter a vessel narrower than itself and lodges at its inlet"),
    tumourShuntFractions: z.record(z.string(), z.number().min(0).max(1)).default({}).describe("intratumoral arteriovenous shunt to the lungs, by tumour name, 0..1"),
    embolic: embolicSchema.default(embolicSchema.parse({})).describe("embolic feedback"),
    cutDepth: z.number().int().min(0).max(64).default(6).describe("generations below the entry where each batch is cut into independent work units"),
    clusterDistanceMm: z.number().min(0).max(1000).default(0).describe("lodging points of connected vessels within this distance form one cluster, mm"),
    timelinePoints: z.number().int().min(1).max(10_000).default(10).describe("without feedback: equal batches (timeline points) of the injection; with feedback every batch is a point"),
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
  };
  return { options, population };
}

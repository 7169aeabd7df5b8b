/**
 * The sphere population of a treatment: how many spheres carry the injected activity, and the
 * distribution of their diameters. Activity per sphere decays from calibration with the product's
 * nuclide (src/physics), so an injection `hoursAfterCalibration` later needs more spheres for the
 * same activity: count = activity / (activity per sphere at calibration · e^(−λt)).
 */
import { activityAt } from "../physics/decay.js";
import { NUCLIDES } from "../physics/nuclides.js";
import type { MicrosphereProduct } from "../physics/products.js";
import type { TruncatedNormalParameters } from "../random/truncatedNormal.js";
import { checkRange } from "../errors.js";

export interface SpherePopulation {
  readonly productId: string;
  /** Number of spheres injected. */
  readonly sphereCount: number;
  /** Activity of one sphere at the time of injection, Bq. */
  readonly activityPerSphereBq: number;
  /** Activity injected, GBq (at the time of injection). */
  readonly activityGBq: number;
  /** Sphere diameters, µm: the product's truncated normal. */
  readonly diameterUm: TruncatedNormalParameters;
}

/** A product's sphere diameters (µm) as the truncated normal the transport samples its size exclusion from. */
export function productDiameterUm(product: MicrosphereProduct): TruncatedNormalParameters {
  const d = product.diameter;
  return { mean: d.meanUm, sd: d.sdUm, min: d.minUm, max: d.maxUm };
}

/**
 * Spheres carrying `activityGBq` (at injection time) of `product`, injected
 * `hoursAfterCalibration` hours after the product's calibration time.
 */

export function spherePopulation(
  product: MicrosphereProduct,
  activityGBq: number,
  hoursAfterCalibration = 0,
): SpherePopulation {
  checkRange("injection.activityGBq", activityGBq, 0, 100, { minOpen: true });
  checkRange("injection.hoursAfterCalibration", hoursAfterCalibration, -1000, 1000);
  const activityPerSphereBq = activityAt(product.activityPerSphereBq, hoursAfterCalibration, NUCLIDES[product.nuclide]);
  const sphereCount = Math.round((activityGBq * 1e9) / activityPerSphereBq);
  if (sphereCount > 2 ** 32 - 1) {
    throw new RangeError(`injection: ${sphereCount} spheres exceed the 2^32 − 1 supported`);
  }
  return {
    productId: product.id,
    sphereCount,
    activityPerSphereBq,
    activityGBq,
    diameterUm: productDiameterUm(product),
  };
}

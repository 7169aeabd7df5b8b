/**
 * From the activity to deliver to the activity to order: the delivered activity A_d is what the
 * dose formulas use; the vial must hold A_d / (1 − residual) at treatment time (the residual stays
 * in vial and tubing; medians 3.0 % resin, 0.6 % glass, 4.3 % Ho-166, src/physics/products.ts),
 * and A(t_cal) = A(t_treat) · exp(λ·Δt) at the vial's calibration time (src/physics/decay.ts).
 */
import { activityAt, activityBefore } from "../physics/decay.js";
import type { Nuclide } from "../physics/nuclides.js";
import type { DecayReport } from "./types.js";

/** Decay and residual bookkeeping for a delivered activity. */
export function decayReport(
  deliveredActivityGBq: number,
  nuclide: Nuclide,
  hoursCalibrationToTreatment: number,
  residualFraction: number,
  times: { calibrationTime?: string; treatmentTime?: string } = {},
): DecayReport {
  const dispensedActivityGBq = deliveredActivityGBq / (1 - residualFraction);
  const activityAtCalibrationGBq = activityBefore(dispensedActivityGBq, hoursCalibrationToTreatment, nuclide);
  return {
    hoursCalibrationToTreatment,
    ...(times.calibrationTime !== undefined ? { calibrationTime: times.calibrationTime } : {}),
    ...(times.treatmentTime !== undefined ? { treatmentTime: times.treatmentTime } : {}),
    residualFraction,
    dispensedActivityGBq,
    residualActivityGBq: dispensedActivityGBq * residualFraction,
    activityAtCalibrationGBq,
    deliveredActivityGBq,
    decayFactor: activityAt(1, hoursCalibrationToTreatment, nuclide),
  };
}

/** Activity delivered to the patient from a vial activity at calibration, GBq. */
export function deliveredFromCalibrationGBq(
  activityAtCalibrationGBq: number,
  nuclide: Nuclide,
  hoursCalibrationToTreatment: number,
  residualFraction: number,
): number {
  return activityAt(activityAtCalibrationGBq, hoursCalibrationToTreatment, nuclide) * (1 - residualFraction);
}

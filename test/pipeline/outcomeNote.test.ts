/**
 * The NTCP note (src/pipeline/outcomeReport.ts ntcpOutsideFit): the default parameters are resin
 * Y-90's in HCC, so a glass or Ho-166 run that keeps them is told so (report note and stderr).
 * Unit test of the rule, not of the model.
 */
import { describe, expect, it } from "vitest";
import { NTCP_DEFAULTS } from "../../src/dose/outcome.js";
import { simulationWarnings } from "../../src/pipeline/finish.js";
import { ntcpOutsideFit } from "../../src/pipeline/outcomeReport.js";

const summary = (product: string, td50BedGy: number | null) => ({
  plan: { product },
  compartments: { normal: { radiobiology: td50BedGy === null ? { ntcpParameters: undefined } : { ntcpParameters: { td50BedGy, m: 0.28, n: 1 } } } },
}) as never;

describe("NTCP outside its fit", () => {
  it("glass and Ho-166 with the resin default are told (glass: Walrand's 250 Gy BED); resin, a case's own TD50 and no NTCP are not", () => {
    expect(ntcpOutsideFit(summary("therasphere", NTCP_DEFAULTS.td50BedGy))).toMatch(/resin Y-90's HCC parameters \(TD50 93 Gy BED\) for a TheraSphere .*BED50 250 Gy for glass/);
    expect(ntcpOutsideFit(summary("quiremspheres", NTCP_DEFAULTS.td50BedGy))).toMatch(/QuiremSpheres .*no fit for this product was found/);
    expect(ntcpOutsideFit(summary("sir-spheres", NTCP_DEFAULTS.td50BedGy))).toBeNull();
    expect(ntcpOutsideFit(summary("therasphere", 250))).toBeNull();
    expect(ntcpOutsideFit(summary("therasphere", null))).toBeNull();
    const notes = simulationWarnings({ ...(summary("quiremspheres", NTCP_DEFAULTS.td50BedGy) as object), dvh: { widenedFor: [] }, resolution: { note: null }, dose: { kernelEnergyVsPlanning: 0 } } as never);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^note: NTCP uses resin Y-90's HCC parameters/);
  });
});

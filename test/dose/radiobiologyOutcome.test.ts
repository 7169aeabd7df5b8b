/**
 * TCP and NTCP (src/dose/outcome.ts) and their wiring into voiRadiobiology and the dose section.
 *
 * Unit tests (closed forms evaluated by hand; they check the code, not the models):
 * - the logistic TCP at EUD50 is 1/2, and the default γ50 puts it through 0.95 at 100 Gy — the two
 *   points of d'Abadie et al. 2022 (abstract) from which the default was derived, so this is true
 *   by construction, NOT a validation against an independent published curve point;
 * - LKB NTCP: 1/2 at gEUD = TD50 and Φ(1) = 0.8413447 (tables) at TD50·(1 + m); the gEUD of the voxel
 *   BEDs for n = 1/2 by hand.
 * Consistency check (not a validation): Strigari et al. 2010's TD50 of 52 Gy (recalled, not re-read)
 * has, with the normal-liver LQ defaults, a BED of 92.6 Gy, i.e. the 93 Gy BED50 that Walrand et al.
 * 2014 quote from it. No independent published TCP/NTCP curve point was checked.
 */
import { describe, expect, it } from "vitest";
import { parseDoseConfig } from "../../src/dose/config.js";
import { gamma50FromPoints, generalisedEudOfBedGy, lkbNtcpOfEud, logisticTcp, normalCdf, NTCP_DEFAULTS, TCP_DEFAULTS } from "../../src/dose/outcome.js";
import { bedPermanentImplantGy, RADIOBIOLOGY_DEFAULTS, voiRadiobiology } from "../../src/dose/radiobiology.js";

describe("TCP: logistic in the tumour EUD", () => {
  it("unit: TCP(EUD50) = 1/2; the default slope gives 0.95 at 100 Gy (true by construction: the default is fitted to these two points)", () => {
    expect(logisticTcp(51, TCP_DEFAULTS)).toBeCloseTo(0.5, 12);
    // 4γ50 = ln 19 / ln(100/51) = 2.944439 / 0.673345 = 4.372856 by hand → γ50 = 1.093214.
    expect(TCP_DEFAULTS.gamma50).toBeCloseTo(1.093214, 6);
    expect(gamma50FromPoints(51, 100, 0.95)).toBe(TCP_DEFAULTS.gamma50);
    expect(logisticTcp(100, TCP_DEFAULTS)).toBeCloseTo(0.95, 12);
    // Between and beyond: 1/(1 + (51/75)^4.372856) (by hand); 0 at zero dose.
    expect(logisticTcp(75, TCP_DEFAULTS)).toBeCloseTo(1 / (1 + Math.pow(51 / 75, 4.372856)), 5);
    expect(logisticTcp(0, TCP_DEFAULTS)).toBe(0);
  });
});

describe("NTCP: Lyman–Kutcher–Burman on the voxel BEDs", () => {
  it("unit: 1/2 at TD50, Φ(1) at TD50·(1 + m), Φ(−1) at TD50·(1 − m)", () => {
    const p = NTCP_DEFAULTS;
    expect(lkbNtcpOfEud(93, p)).toBeCloseTo(0.5, 7);
    expect(lkbNtcpOfEud(93 * 1.28, p)).toBeCloseTo(0.8413447, 6);
    expect(lkbNtcpOfEud(93 * 0.72, p)).toBeCloseTo(0.1586553, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
  });

  it("unit: the gEUD of BEDs is the mean for n = 1 and ((√a + √b)/2)² for n = 1/2", () => {
    expect(generalisedEudOfBedGy([40, 160], 1)).toBeCloseTo(100, 12);
    // a = 1/n = 2: √((40² + 160²)/2) = √13600 = 116.619 ... n = 0.5 means exponent 2.
    expect(generalisedEudOfBedGy([40, 160], 0.5)).toBeCloseTo(Math.sqrt((40 * 40 + 160 * 160) / 2), 10);
    // n = 2 (a = 1/2): ((√40 + √160)/2)² = (3·√40/2)² = 90.
    expect(generalisedEudOfBedGy([40, 160], 2)).toBeCloseTo(90, 10);
  });

  it("consistency: 52 Gy to the normal liver has a BED of 92.6 Gy (Strigari's TD50 ↔ the 93 Gy BED50 quoted by Walrand 2014)", () => {
    const bed = bedPermanentImplantGy(52, "Y-90", RADIOBIOLOGY_DEFAULTS.normalLiver);
    expect(bed).toBeCloseTo(92.6, 1);
    expect(Math.round(bed)).toBe(NTCP_DEFAULTS.td50BedGy);
  });
});

describe("voiRadiobiology reports TCP for tumours and NTCP for the normal liver", () => {
  it("unit: a uniform dose D gives TCP of EUD = D, and NTCP of BED(D)", () => {
    const doses = new Float64Array(50).fill(70);
    const tumour = voiRadiobiology(doses, { nuclide: "Y-90", tissue: "tumour", params: RADIOBIOLOGY_DEFAULTS.tumour });
    expect(tumour.eudGy).toBeCloseTo(70, 9);
    expect(tumour.tcp).toBeCloseTo(logisticTcp(70, TCP_DEFAULTS), 9);
    expect(tumour.ntcp).toBeNull();
    expect(tumour.tcpParameters).toEqual({ eud50Gy: 51, gamma50: TCP_DEFAULTS.gamma50 });
    const liver = voiRadiobiology(doses, { nuclide: "Y-90", tissue: "normalLiver", params: RADIOBIOLOGY_DEFAULTS.normalLiver });
    const bed70 = bedPermanentImplantGy(70, "Y-90", RADIOBIOLOGY_DEFAULTS.normalLiver);
    expect(liver.ntcp).toBeCloseTo(normalCdf((bed70 - 93) / (0.28 * 93)), 9);
    expect(liver.tcp).toBeNull();
    const lung = voiRadiobiology(doses, { nuclide: "Y-90", tissue: "lung", params: RADIOBIOLOGY_DEFAULTS.lung });
    expect([lung.tcp, lung.ntcp]).toEqual([null, null]);
  });

  it("unit: NTCP with n ≠ 1 uses the gEUD of the voxel BEDs (two dose levels by hand)", () => {
    const params = { ...RADIOBIOLOGY_DEFAULTS.normalLiver, ntcp: { td50BedGy: 93, m: 0.28, n: 0.5 } };
    const r = voiRadiobiology([20, 80], { nuclide: "Y-90", tissue: "normalLiver", params });
    const b = (d: number) => bedPermanentImplantGy(d, "Y-90", params);
    expect(r.ntcp).toBeCloseTo(normalCdf((Math.sqrt((b(20) ** 2 + b(80) ** 2) / 2) - 93) / (0.28 * 93)), 9);
  });
});

describe("dose.radiobiology outcome fields", () => {
  it("defaults, null to switch a model off, and an out-of-range value named", () => {
    const c = parseDoseConfig(undefined);
    expect(c.radiobiology.tumour.tcp).toEqual({ eud50Gy: 51, gamma50: TCP_DEFAULTS.gamma50 });
    expect(c.radiobiology.normalLiver.ntcp).toEqual({ td50BedGy: 93, m: 0.28, n: 1 });
    const glass = parseDoseConfig({ radiobiology: { normalLiver: { ntcp: { td50BedGy: 250 } }, tumour: { tcp: null } } });
    expect(glass.radiobiology.normalLiver.ntcp).toEqual({ td50BedGy: 250, m: 0.28, n: 1 });
    expect(glass.radiobiology.tumour.tcp).toBeNull();
    expect(glass.radiobiology.tumour.alphaBetaGy).toBe(10);
    expect(() => parseDoseConfig({ radiobiology: { normalLiver: { ntcp: { m: -1 } } } })).toThrow(/dose\.radiobiology\.normalLiver\.ntcp\.m/);
    expect(() => parseDoseConfig({ radiobiology: { lung: { ntcp: { m: 1 } } } })).toThrow(/dose\.radiobiology\.lung/);
  });
});

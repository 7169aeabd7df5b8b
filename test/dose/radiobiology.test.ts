/**
 * BED and EUD (src/dose/radiobiology.ts). Validation (independent numbers): BED against the
 * published values of Cremonesi et al. 2008 (their own calculation with the same α/β and T_rep),
 * and the finite-time G factor against a numerical double integral (second method). Unit tests
 * (the same formula evaluated by hand or in Python, so they check the code, not the model): the
 * closed-form BEDs, the two-level EUD, and the dose section's radiobiology fields.
 */
import { describe, expect, it } from "vitest";
import { parseDoseConfig } from "../../src/dose/config.js";
import { dvh } from "../../src/dose/dvh.js";
import { doseMetrics } from "../../src/dose/metrics.js";
import {
  bedPermanentImplantGy,
  doseForBedGy,
  gFactor,
  RADIOBIOLOGY_DEFAULTS,
  tissueOfVoiName,
  voiRadiobiology,
} from "../../src/dose/radiobiology.js";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { voiRole } from "../../src/io/imageInput.js";

const LAMBDA_Y90 = Math.LN2 / 64.1;

describe("BED (Dale 1985, permanent implant)", () => {
  it("validation: reproduces the BEDs published by Cremonesi et al. 2008 (Y-90, T½ 64.2 h there, 64.1 h here)", () => {
    // Cremonesi M et al., Eur J Nucl Med Mol Imaging 2008;35:2088 (abstract): α/β 2.5 Gy and
    // T_rep 2.5 h (non-tumoral liver), 10 Gy and 1.5 h (tumours). "A prescribed BED to NTL of
    // 64 Gy (NTL dose = 40 Gy)"; tumour dose 130 (65–235) Gy ↔ tumour BED 170 (75–360) Gy
    // (median and range over 20 patients: BED is monotonic in D, so median and range map onto
    // each other). Published to 2 significant figures, hence the tolerances (half the last digit).
    // The engine's values (stated in docs/dose.md and docs/validation.md row 42): 64.0; 74.7, 168.6, 361.3 Gy.
    const bedNtl = bedPermanentImplantGy(40, "Y-90", RADIOBIOLOGY_DEFAULTS.normalLiver);
    expect(Math.abs(bedNtl - 64)).toBeLessThan(0.5);
    expect(bedNtl).toBeCloseTo(64.0, 1);
    for (const [doseGy, publishedBedGy, toleranceGy, engineBedGy] of [
      [65, 75, 0.5, 74.7],
      [130, 170, 5, 168.6],
      [235, 360, 5, 361.3],
    ] as const) {
      const bed = bedPermanentImplantGy(doseGy, "Y-90", RADIOBIOLOGY_DEFAULTS.tumour);
      expect(Math.abs(bed - publishedBedGy), `${doseGy} Gy`).toBeLessThan(toleranceGy);
      expect(bed, `${doseGy} Gy`).toBeCloseTo(engineBedGy, 1);
    }
  });

  it("bedPermanentImplantGy(100 Gy, Y-90, normal liver α/β 2.5 Gy, T_rep 2.5 h) = 100·(1 + 100/66.6) = 250.15 Gy (closed form)", () => {
    // λ/(μ + λ) = (1/64.1)/(1/2.5 + 1/64.1) = 2.5/66.6; BED = D(1 + D·(2.5/66.6)/2.5).
    expect(bedPermanentImplantGy(100, "Y-90", RADIOBIOLOGY_DEFAULTS.normalLiver)).toBeCloseTo(100 * (1 + 100 / 66.6), 9);
    const r = voiRadiobiology([100, 100, 100], { nuclide: "Y-90", tissue: "normalLiver", params: RADIOBIOLOGY_DEFAULTS.normalLiver });
    expect(r.meanBedGy).toBeCloseTo(250.15015, 4);
  });

  it("tumour (α/β 10 Gy, T_rep 1.5 h): 205 Gy of Y-90 → 205·(1 + 205·1.5/656) = 301.10 Gy; Ho-166 (26.8 h) repairs less of it", () => {
    expect(bedPermanentImplantGy(205, "Y-90", RADIOBIOLOGY_DEFAULTS.tumour)).toBeCloseTo(205 * (1 + (205 * 1.5) / 656), 9);
    // Ho-166: λ/(μ+λ) = 1.5/(26.8 + 1.5) = 0.0530 > Y-90's 0.0229.
    expect(bedPermanentImplantGy(205, "Ho-166", RADIOBIOLOGY_DEFAULTS.tumour)).toBeCloseTo(205 * (1 + (205 * 1.5) / (28.3 * 10)), 9);
  });

  it("the G factor to a finite time equals a numerical double integral, tends to λ/(μ+λ) for complete decay, and is continuous at μ = λ", () => {
    // numpy trapezoid on 20,000 steps, Y-90, T_rep 2.5 h, 24 h: G = 0.256257 (second method).
    expect(gFactor(LAMBDA_Y90, Math.LN2 / 2.5, 24)).toBeCloseTo(0.256257, 5);
    const mu = Math.LN2 / 2.5;
    expect(gFactor(LAMBDA_Y90, mu, 1e5)).toBeCloseTo(LAMBDA_Y90 / (mu + LAMBDA_Y90), 12);
    expect(gFactor(LAMBDA_Y90, LAMBDA_Y90 * (1 + 1e-7), 100)).toBeCloseTo(gFactor(LAMBDA_Y90, LAMBDA_Y90, 100), 6);
    // A dose delivered in an instant (T → 0) has G → 1: the acute BED D(1 + D/(α/β)).
    expect(gFactor(LAMBDA_Y90, mu, 1e-6)).toBeCloseTo(1, 5);
  });

  it("doseForBedGy inverts BED = D + g·D²", () => {
    for (const d of [0, 1e-6, 3, 120, 5000]) expect(doseForBedGy(d + 0.0023 * d * d, 0.0023)).toBeCloseTo(d, 9);
    expect(doseForBedGy(42, 0)).toBe(42);
  });
});

describe("EUD (Niemierko 1997 from voxel BEDs)", () => {
  it("the EUD of a uniform dose equals the dose, whatever α", () => {
    for (const alphaPerGy of [0.001, 0.005, 0.3]) {
      const r = voiRadiobiology(new Float64Array(50).fill(123.4), { nuclide: "Y-90", tissue: "tumour", params: { ...RADIOBIOLOGY_DEFAULTS.tumour, alphaPerGy } });
      expect(r.eudGy).toBeCloseTo(123.4, 9);
      expect(r.eubedGy).toBeCloseTo(r.meanBedGy, 9);
    }
  });

  it("unit test: a two-level tumour dose (half 50 Gy, half 150 Gy; α/β 10, T_rep 1.5 h, α 0.005/Gy) has EUD 94.969 Gy (the same formula by hand)", () => {
    // Python: g = (1.5/65.6)/10 = 0.00228659 /Gy; BED 55.7165 and 201.4482; mean BED 128.5823;
    // EUBED = −ln((e^{−0.005·55.7165} + e^{−0.005·201.4482})/2)/0.005 = 115.5924; EUD = 94.96929.
    const r = voiRadiobiology([50, 150, 150, 50], { nuclide: "Y-90", tissue: "tumour", params: RADIOBIOLOGY_DEFAULTS.tumour });
    expect(r.meanBedGy).toBeCloseTo(128.5823170731707, 9);
    expect(r.eubedGy).toBeCloseTo(115.59238970670826, 8);
    expect(r.eudGy).toBeCloseTo(94.96929461569574, 8);
    expect(r.eudGy).toBeLessThan(100); // below the mean dose (cold spots dominate survival)
  });

  it("stays finite when α·BED is far beyond exp's range (α 1/Gy, 1000–2000 Gy)", () => {
    const r = voiRadiobiology([1000, 2000], { nuclide: "Y-90", tissue: "tumour", params: { ...RADIOBIOLOGY_DEFAULTS.tumour, alphaPerGy: 1 } });
    expect(Number.isFinite(r.eudGy)).toBe(true);
    // Survival is the cold half's: EUBED = BED(1000) + ln 2 / α.
    expect(r.eubedGy).toBeCloseTo(1000 + (1.5 * 1e6) / 656 + Math.LN2, 6);
  });

  it("doseMetrics(h, { radiobiology }) reports the tissue, its parameters, mean BED and EUD", () => {
    const h = dvh({ ...axisAlignedGeometry([4, 1, 1], [1, 1, 1]), data: Float64Array.from([50, 150, 50, 150]) });
    const m = doseMetrics(h, { radiobiology: { nuclide: "Y-90", tissue: "tumour", params: RADIOBIOLOGY_DEFAULTS.tumour } });
    expect(m.radiobiology).toMatchObject({ tissue: "tumour", alphaBetaGy: 10, repairHalfTimeH: 1.5, alphaPerGy: 0.005 });
    expect(m.radiobiology!.eudGy).toBeCloseTo(94.96929461569574, 8);
    expect(() => doseMetrics(h, { radiobiology: { nuclide: "Y-90", tissue: "lung", params: { alphaBetaGy: 0, repairHalfTimeH: 1, alphaPerGy: 0.1 } } })).toThrow(/radiobiology.lung.alphaBetaGy/);
  });
});

describe("tissue types", () => {
  it("tissueOfVoiName: *lung* → lung; *tum*/*lesion*/metastasis/HCC/GTV → tumour (as voiRole); segments S1–S8 and the rest → normal liver", () => {
    for (const n of ["tumour", "Tumor 2", "lesion_3", "metastasis", "HCC", "GTV", "Liver tumour 1", "mets"]) expect(tissueOfVoiName(n), n).toBe("tumour");
    for (const n of ["lung", "Lungs", "left lung"]) expect(tissueOfVoiName(n), n).toBe("lung");
    for (const n of ["S8", "normal", "liver", "perfused", "1", "activity"]) expect(tissueOfVoiName(n), n).toBe("normalLiver");
  });

  it("tissueOfVoiName agrees with io voiRole on lung and tumour, so dose, plan-images and the radiobiology type a VOI alike", () => {
    for (const n of ["Liver tumour 1", "right lung", "Lung lesion", "GTV_S8", "S4", "normal liver", "HCC", "Metastasis 3", "perfused"]) {
      const role = voiRole(n);
      const tissue = tissueOfVoiName(n);
      expect(tissue === "lung", n).toBe(role === "lung");
      expect(tissue === "tumour", n).toBe(role === "tumour");
    }
  });

  it("parseDoseConfig fills dose.radiobiology per tissue, accepts partial overrides and refuses the old bedTumour and eudA 0", () => {
    const c = parseDoseConfig({ radiobiology: { tumour: { alphaBetaGy: 8 } } });
    // (plus the tumour's tcp and the normal liver's ntcp: test/dose/radiobiologyOutcome.test.ts)
    expect(c.radiobiology.tumour).toMatchObject({ alphaBetaGy: 8, repairHalfTimeH: 1.5, alphaPerGy: 0.005 });
    expect(c.radiobiology.normalLiver).toMatchObject({ alphaBetaGy: 2.5, repairHalfTimeH: 2.5, alphaPerGy: 0.005 });
    expect(c.radiobiology.lung).toEqual({ alphaBetaGy: 3, repairHalfTimeH: 1.5, alphaPerGy: 0.005 });
    expect(() => parseDoseConfig({ bedTumour: { alphaBetaGy: 10 } })).toThrow(/dose/);
    expect(() => parseDoseConfig({ radiobiology: { lung: { alphaBetaGy: -1 } } })).toThrow(/dose.radiobiology.lung.alphaBetaGy/);
    expect(() => parseDoseConfig({ eudA: 0 })).toThrow(/dose.eudA/);
  });

  it("parseDoseConfig refuses the dose fields a simulation would ignore: method ldm and microdosimetry (every accepted field has an effect)", () => {
    expect(() => parseDoseConfig({ method: "ldm" })).toThrow(/dose.method: only "fft"/);
    expect(() => parseDoseConfig({ microdosimetry: { voxelMm: 0.1, sizeMm: 5 } })).toThrow(/dose.microdosimetry: is not available in simulate yet/);
    expect(parseDoseConfig({ method: "fft", microdosimetry: null })).toMatchObject({ method: "fft", microdosimetry: null });
  });
});

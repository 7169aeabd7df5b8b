import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import {
  derivedDoseCoefficient,
  activityAt,
  cumulatedActivityGBqS,
  derivedDoseCoefficientGyKgPerGBq,
  doseCoefficient,
  HO166,
  meanLifeS,
  PRODUCTS,
  Y90,
} from "../../src/physics/index.js";

describe("physics", () => {
  it("derivedDoseCoefficientGyKgPerGBq(Y-90) is 49.96 Gy·kg/GBq from 0.9367 MeV and 64.1 h (reference README)", () => {
    // Hand calculation: 0.9367 MeV × 1.602176634e-13 J/MeV × 64.1 h × 3600 s/h / ln 2 × 1e9 Bq.
    const expected = (0.9367 * 1.602176634e-13 * 64.1 * 3600) / Math.LN2 * 1e9;
    expect(derivedDoseCoefficientGyKgPerGBq(Y90)).toBeCloseTo(expected, 10);
    expect(derivedDoseCoefficientGyKgPerGBq(Y90)).toBeCloseTo(49.96, 2);
  });

  it("the Ho-166 mean energy reproduces the clinical 15.87 Gy·kg/GBq within 0.1 %", () => {
    expect(derivedDoseCoefficientGyKgPerGBq(HO166) / doseCoefficient("ho166-clinical").valueGyKgPerGBq).toBeCloseTo(1, 3);
  });

  it("doseCoefficient and derivedDoseCoefficient of an unknown name (toString, a bogus nuclide) throw InputError, never another entry's data (unit test)", () => {
    for (const bogus of ["toString", "constructor", "__proto__", "Tc-99m"]) {
      expect(() => doseCoefficient(bogus as never), bogus).toThrow(InputError);
      expect(() => derivedDoseCoefficient(bogus as never), bogus).toThrow(InputError);
    }
    expect(() => doseCoefficient("toString" as never)).toThrow(/dose coefficient convention must be one of therasphere-label, gulec-utrecht, derived, ho166-clinical, got "toString"/);
  });

  it("activityAt(3 GBq, 96 h, Y-90) is 1.0624 GBq (issue 2 acceptance value)", () => {
    expect(activityAt(3, 96, Y90)).toBeCloseTo(1.0624, 4);
  });

  it("activityAt halves the activity after one half-life", () => {
    expect(activityAt(2, Y90.halfLifeH, Y90)).toBeCloseTo(1, 12);
    expect(activityAt(2, HO166.halfLifeH, HO166)).toBeCloseTo(1, 12);
  });

  it("cumulatedActivityGBqS to infinity is A·τ and to one half-life is half of it", () => {
    expect(cumulatedActivityGBqS(1, Y90)).toBeCloseTo(meanLifeS(Y90), 6);
    expect(cumulatedActivityGBqS(1, Y90, Y90.halfLifeH)).toBeCloseTo(meanLifeS(Y90) / 2, 6);
  });

  it("products carry 1e9/activityPerSphere spheres per GBq (44 million per 3 GBq for resin)", () => {
    expect(PRODUCTS["sir-spheres"].spheresPerGBq * 3).toBeCloseTo(44e6, -2);
    expect(PRODUCTS.therasphere.spheresPerGBq).toBeCloseTo(4e5, 6);
  });
});

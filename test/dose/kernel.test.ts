import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cumulativeEnergyMeV, energyPerRadiusMeVPerMm, pointKernelDoseMGyPerMBqS, radialKernel, Y90_DPK_TOTAL_MEV } from "../../src/dose/kernel.js";
import { Y90_DPK_SHELL_ENERGY_MEV } from "../../src/dose/y90Dpk.js";
import { InputError } from "../../src/errors.js";
import { HO166, Y90 } from "../../src/physics/index.js";

const fixture = fileURLToPath(new URL("../../fixtures/kernels/y90-dose-point-kernel.csv", import.meta.url));

describe("radialKernel", () => {
  it("embeds exactly the shells of fixtures/kernels/y90-dose-point-kernel.csv (Graves et al. 2019)", () => {
    const text = readFileSync(fixture, "utf8");
    expect(text).toContain("Graves SA, Flynn RT, Hyer DE");
    const rows = text.split("\n").filter((l) => /^\d/.test(l)).map((l) => l.split(",").map(Number));
    expect(rows.length).toBe(Y90_DPK_SHELL_ENERGY_MEV.length);
    rows.forEach(([outerCm, e], i) => {
      expect(outerCm).toBeCloseTo(0.01 * (i + 1), 9);
      expect(e).toBe(Y90_DPK_SHELL_ENERGY_MEV[i]);
    });
  });

  it("the tabulated Y-90 kernel totals 0.9299 MeV, −0.73 % from the 0.9367 MeV of src/physics (< 1 %)", () => {
    expect(Y90_DPK_TOTAL_MEV).toBeCloseTo(0.929907, 6);
    const raw = radialKernel("Y-90", { normaliseToMeanEnergy: false, densityGPerMl: 1 });
    expect(raw.totalMeV).toBeCloseTo(0.929907, 6);
    expect(raw.residualVsMeanEnergy).toBeCloseTo((0.929907 - 0.9367) / 0.9367, 6);
    expect(Math.abs(raw.residualVsMeanEnergy)).toBeLessThan(0.01);
  });

  it("the normalised kernel's integral equals the nuclide's mean energy (Y-90 and Ho-166)", () => {
    expect(radialKernel("Y-90").totalMeV).toBeCloseTo(Y90.meanEnergyMeV, 12);
    expect(radialKernel("Ho-166").totalMeV).toBeCloseTo(HO166.meanEnergyMeV, 12);
  });

  it("cumulativeEnergyMeV passes through the running sums of the shells and E'(r) integrates to it", () => {
    const k = radialKernel("Y-90", { normaliseToMeanEnergy: false, densityGPerMl: 1 });
    let sum = 0;
    for (let i = 0; i < 120; i++) {
      sum += Y90_DPK_SHELL_ENERGY_MEV[i];
      expect(cumulativeEnergyMeV(k, 0.1 * (i + 1))).toBeCloseTo(sum, 12);
    }
    // Midpoint rule of E' over 0–5 mm against E(5 mm).
    let integral = 0;
    const h = 1e-4;
    for (let r = h / 2; r < 5; r += h) integral += energyPerRadiusMeVPerMm(k, r) * h;
    expect(integral).toBeCloseTo(cumulativeEnergyMeV(k, 5), 6);
  });

  it("density scaling follows D_ρ(r) = ρ² D_w(ρ r)", () => {
    const water = radialKernel("Y-90", { densityGPerMl: 1 });
    const lung = radialKernel("Y-90", { densityGPerMl: 0.3 });
    for (const r of [0.5, 2, 5, 20]) {
      const expected = 0.3 * 0.3 * pointKernelDoseMGyPerMBqS(water, 0.3 * r);
      expect(pointKernelDoseMGyPerMBqS(lung, r)).toBeCloseTo(expected, 10);
    }
    expect(lung.maxRadiusMm).toBeCloseTo(12 / 0.3, 9);
  });

  it("the derived Ho-166 kernel is the Y-90 kernel shrunk by 8.7/11 in radius", () => {
    const ho = radialKernel("Ho-166", { densityGPerMl: 1 });
    const y = radialKernel("Y-90", { densityGPerMl: 1 });
    expect(ho.maxRadiusMm).toBeCloseTo((12 * 8.7) / 11, 9);
    for (const r of [0.5, 1, 3, 6]) {
      const fractionHo = cumulativeEnergyMeV(ho, (r * 8.7) / 11) / ho.totalMeV;
      const fractionY = cumulativeEnergyMeV(y, r) / y.totalMeV;
      expect(fractionHo).toBeCloseTo(fractionY, 12);
    }
  });

  it("radialKernel rejects a density outside [0.01, 20] g/mL with an InputError naming it", () => {
    expect(() => radialKernel("Y-90", { densityGPerMl: 0 })).toThrow(InputError);
    expect(() => radialKernel("Y-90", { densityGPerMl: 0 })).toThrow(/densityGPerMl must be in \[0.01, 20\]/);
  });
});

/**
 * What a run is told about its tree's resolution (src/transport/resolution.ts): the band of tissue
 * per terminal, the note per band, and the settings the study did not cover. Unit tests; the
 * band's edges and the numbers the notes quote are re-checked against the studies' data by
 * test/docs/resolution-study.test.ts.
 */
import { describe, expect, it } from "vitest";
import { resolveHeterogeneity } from "../../src/transport/models/heterogeneity.js";
import { assessResolution, autoTerminals, RESOLUTION_STUDY, type ResolutionSettings } from "../../src/transport/resolution.js";
import { DEFAULT_GROW_OPTIONS, TERMINALS_RANGE } from "../../src/vascular/grow.js";

/** The settings the study ran (resin, size exclusion, default tree and fractal model). */
const studied: ResolutionSettings = { product: "sir-spheres", sizeExclusion: true, murrayExponent: 3, heterogeneity: resolveHeterogeneity(undefined, 0.5) };
/** A 1.6 L liver (the bundled cases'). */
const liverMl = 1588;
const tissueMg = liverMl * 1.03 * 1000;

describe("assessResolution", () => {
  it("ran under the defaults: resin, size exclusion, the tree's Murray exponent, the fractal model", () => {
    expect(studied.heterogeneity.model).toBe("fractal");
    expect(RESOLUTION_STUDY.conditions.murrayExponent).toBe(DEFAULT_GROW_OPTIONS.murrayExponent);
  });

  it("says nothing at the portal-tract limit and within the band (the default case: 1e5 terminals, 16.4 mg)", () => {
    const portal = assessResolution(1.5e6, liverMl, studied);
    expect(portal).toMatchObject({ band: "portal-tract", note: null });
    const bundled = assessResolution(1e5, liverMl, studied);
    expect(bundled).toMatchObject({ band: "agreed", note: null });
    expect(bundled.massPerTerminalMg).toBeCloseTo(tissueMg / 1e5, 9);
  });

  it("tells a finer tree what was measured on its side (the 1 mm dip) and which counts fall in the band", () => {
    const finer = assessResolution(3e5, liverMl, studied);
    expect(finer.band).toBe("finer");
    expect(finer.note).toMatch(/^tree resolution 300,000 terminals, 5\.45 mg of tissue per terminal: .* within 2 % .* only between 16 and 41 mg per terminal; at 4–11 mg the D70 \/ D90 were within 0\.6 % but that spread was 1–12 % low; not measured elsewhere between 1\.2 and 16 mg\./);
    const [, most, least] = /use at most ([\d,]+) terminals or at least ([\d,]+)/.exec(finer.note ?? "") ?? [];
    expect(assessResolution(Number(most.replaceAll(",", "")), liverMl, studied).band).toBe("agreed");
    expect(assessResolution(Number(least.replaceAll(",", "")), liverMl, studied).band).toBe("portal-tract");
  });

  it("tells a coarser tree what was measured on its side and the terminals that reach the band", () => {
    const coarser = assessResolution(2e4, liverMl, studied);
    expect(coarser.band).toBe("coarser");
    expect(coarser.note).toMatch(/at 80–410 mg that spread was 4–13 % high and the normal-liver D90 up to 3\.5 % low; not measured between 41 and 80 mg/);
    const needed = Math.ceil(tissueMg / RESOLUTION_STUDY.agreed.maxMg);
    expect(coarser.note).toContain(`Use at least ${needed.toLocaleString("en")} terminals`);
    expect(assessResolution(needed, liverMl, studied).band).toBe("agreed");
  });

  it("says what the study did not cover: other models, fractal parameters, products, size exclusion off, another Murray exponent", () => {
    const cases: [Partial<ResolutionSettings>, RegExp][] = [
      [{ heterogeneity: resolveHeterogeneity({ model: "walrand-bias" }, 0.6) }, /number of generations by design/],
      [{ heterogeneity: resolveHeterogeneity({ model: "flow" }, 0.5) }, /uniformly over its territory/],
      [{ heterogeneity: resolveHeterogeneity({ model: "custom", splitOdds: new Float64Array(3).fill(1) }, 0.5) }, /ran the fractal model, not custom/],
      [{ heterogeneity: resolveHeterogeneity({ model: "fractal", unitMassMg: 4 }, 0.5) }, /fractal model's defaults/],
      [{ product: "therasphere" }, /ran SIR-Spheres \(resin\)/],
      [{ sizeExclusion: false }, /sizeExclusion on/],
      [{ murrayExponent: 2.7 }, /murrayExponent 3/],
    ];
    for (const [change, message] of cases) {
      const a = assessResolution(1e5, liverMl, { ...studied, ...change });
      expect(a.band).toBe("not-studied");
      expect(a.note).toMatch(/^tree resolution 100,000 terminals, 16\.4 mg of tissue per terminal: /);
      expect(a.note).toMatch(message);
      expect(a.note).toMatch(/is not measured/);
    }
  });
});

describe('tree.terminals "auto"', () => {
  it("sizes every liver's tree to the band's measured point (RESOLUTION_STUDY.autoMg), so any liver lands in the agreed band (unit test of the arithmetic: that the band holds for livers the study did not run is an assumption, docs/transport.md Limitations)", () => {
    const { minMg, maxMg } = RESOLUTION_STUDY.agreed;
    expect(RESOLUTION_STUDY.autoMg).toBeGreaterThanOrEqual(minMg);
    expect(RESOLUTION_STUDY.autoMg).toBeLessThanOrEqual(maxMg);
    // The bundled cases' 1e5 terminals of the default liver.
    expect(Math.abs(autoTerminals(liverMl) - 1e5)).toBeLessThan(300);
    for (const ml of [40, 300, 900, 1588, 2600]) {
      const n = autoTerminals(ml);
      const a = assessResolution(n, ml, studied);
      expect(a.band, `${ml} mL`).toBe("agreed");
      expect(a.massPerTerminalMg).toBeCloseTo(RESOLUTION_STUDY.autoMg, 1);
    }
    // Clamped to the schema's range at the extremes.
    expect(autoTerminals(1e-6)).toBe(TERMINALS_RANGE.min);
    expect(autoTerminals(1e9)).toBe(TERMINALS_RANGE.max);
  });
});

/**
 * What a run is told about its tree's resolution (src/transport/resolution.ts): the band of tissue
 * per terminal, the note's content per band and model. Unit tests; the band's edges and the
 * numbers the notes quote are re-checked against the studies' data by
 * test/docs/resolution-study.test.ts.
 */
import { describe, expect, it } from "vitest";
import { resolveHeterogeneity } from "../../src/transport/models/heterogeneity.js";
import { assessResolution, RESOLUTION_STUDY } from "../../src/transport/resolution.js";

const fractal = resolveHeterogeneity(undefined, 0.5);
/** A 1.6 L liver (the bundled cases'). */
const liverMl = 1588;

describe("assessResolution", () => {
  it("says nothing at the portal-tract limit and in the converged band (the bundled cases: 1e5 terminals, 16 mg)", () => {
    expect(fractal.model).toBe("fractal");
    const portal = assessResolution(1.5e6, liverMl, fractal);
    expect(portal.band).toBe("portal-tract");
    expect(portal.note).toBeNull();
    const bundled = assessResolution(1e5, liverMl, fractal);
    expect(bundled.band).toBe("converged");
    expect(bundled.massPerTerminalMg).toBeCloseTo((liverMl * 1.03 * 1000) / 1e5, 9);
    expect(bundled.note).toBeNull();
  });

  it("notes a tree finer than the band (the 1 mm dip) and one coarser (with the terminals that would reach it)", () => {
    const finer = assessResolution(3e5, liverMl, fractal);
    expect(finer.band).toBe("finer");
    expect(finer.note).toMatch(/^tree resolution 300,000 terminals, 5\.5 mg of tissue per terminal: .* not converged .* 6–12 % low; .* within 0\.5 %\); 15–45 mg per terminal was converged/);
    const coarser = assessResolution(2e4, liverMl, fractal);
    expect(coarser.band).toBe("coarser");
    const needed = Math.ceil((liverMl * 1.03 * 1000) / RESOLUTION_STUDY.converged.maxMg);
    expect(coarser.note).toContain(`use at least ${needed.toLocaleString("en")} terminals`);
    expect(assessResolution(needed, liverMl, fractal).band).toBe("converged");
  });

  it("says what was not studied: other fractal parameters, walrand-bias (resolution-dependent by design); nothing for flow", () => {
    const unit = assessResolution(1e5, liverMl, resolveHeterogeneity({ model: "fractal", unitMassMg: 4 }, 0.5));
    expect(unit.band).toBe("not-studied");
    expect(unit.note).toMatch(/not measured/);
    const walrand = assessResolution(1e5, liverMl, resolveHeterogeneity({ model: "walrand-bias" }, 0.6));
    expect(walrand.band).toBe("not-studied");
    expect(walrand.note).toMatch(/number of generations by design/);
    expect(assessResolution(1e5, liverMl, resolveHeterogeneity({ model: "flow" }, 0.5)).note).toBeNull();
  });
});

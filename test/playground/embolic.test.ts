/**
 * The playground's embolic-load control (playground/src/settings.ts embolicCapacity) scales the
 * engine's geometric capacity, so "typical" is the CLI's model of the case, and the Stasis preset
 * shows stasis. Checks of the control's meaning on the NET case (not a validation: the capacity's
 * calibration is test/transport/embolicGeometry.test.ts).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { numericCase } from "../../playground/build.js";
import { heterogeneityModels, runCase } from "../../playground/src/engine.js";
import { PRESETS } from "../../playground/src/presets.js";
import { caseFromSettings, settingsFromCase } from "../../playground/src/settings.js";
import { EMBOLIC_DEFAULTS } from "../../src/transport/defaults.js";

describe("playground embolic load", () => {
  const base = numericCase(JSON.parse(readFileSync(new URL("../../fixtures/cases/net-default.json", import.meta.url), "utf8")), "net-default.json");
  const model = heterogeneityModels()[0];
  const start = settingsFromCase(base, model.id);

  it("typical = the case's own embolic section (the CLI's case); other levels scale the geometric plug length (overrides dropped); off at 0; a case without feedback starts off", () => {
    expect(start.embolicCapacity).toBe(1);
    const own = { enabled: true, capacitySpheresPerMl: 5000 };
    const withOverride = { ...base, transport: { embolic: own } };
    expect(caseFromSettings(withOverride, start, model.transport).transport.embolic).toEqual(own);
    expect(caseFromSettings(base, start, model.transport).transport.embolic).toEqual({ enabled: true });
    const heavy = caseFromSettings(withOverride, { ...start, embolicCapacity: 0.25 }, model.transport).transport.embolic;
    expect(heavy.capacitySpheresPerMl).toBeUndefined();
    expect(heavy.plugLengthMm).toBeCloseTo(EMBOLIC_DEFAULTS.plugLengthMm / 4, 12);
    expect(caseFromSettings(base, { ...start, embolicCapacity: 0 }, model.transport).transport.embolic).toEqual({ enabled: false });
    // The engine's default is no feedback unless the case enables it.
    expect(settingsFromCase({ ...base, transport: {} }, model.id).embolicCapacity).toBe(0);
  });

  it("every preset's case states its terminal count (the optimised share is taken from it); a count left to \"auto\" is refused, not replaced by a guess", () => {
    for (const name of new Set(PRESETS.map((p) => p.base))) {
      const json = JSON.parse(readFileSync(new URL(`../../fixtures/cases/${name}.json`, import.meta.url), "utf8")) as { tree?: { terminals?: unknown } };
      expect(typeof json.tree?.terminals, name).toBe("number");
    }
    expect(() => caseFromSettings({ ...base, tree: { ...(base.tree as object), terminals: "auto" } }, start, model.transport)).toThrow(/tree.terminals must be a number/);
  });

  it("the Stasis preset: no stasis on side A (typical), stasis and reflux on side B", async () => {
    const preset = PRESETS.find((p) => p.id === "stasis")!;
    const run = async (side: "a" | "b") => (await runCase(caseFromSettings(base, { ...start, ...preset[side] }, model.transport, 5000))).summary;
    const a = await run("a");
    const b = await run("b");
    expect(a.reflux.stasis).toBe(false);
    expect(a.reflux.fraction).toBe(0);
    expect(b.reflux.stasis).toBe(true);
    expect(b.reflux.fraction).toBeGreaterThan(0.05);
    expect(b.tumourToNormalRatio.realisedSpheres).toBeLessThan(a.tumourToNormalRatio.realisedSpheres as number);
  }, 120_000);
});

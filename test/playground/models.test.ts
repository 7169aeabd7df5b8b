/**
 * The playground's heterogeneity models (playground/src/engine.ts heterogeneityModels): each is a
 * case the engine accepts, labelled with the engine's own description, and "walrand-bias" carries
 * Walrand 2014's bias — with the default 0.5 (odds 1:1) it gave flow-following's numbers to the
 * last digit (a review).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { numericCase } from "../../playground/build.js";
import { heterogeneityModels } from "../../playground/src/engine.js";
import { caseFromSettings, settingsFromCase } from "../../playground/src/settings.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { CASE_HETEROGENEITY_MODELS } from "../../src/transport/models/heterogeneity.js";
import { parseTransportSections } from "../../src/transport/config.js";

describe("playground heterogeneity models", () => {
  const base = numericCase(JSON.parse(readFileSync(new URL("../../fixtures/cases/net-default.json", import.meta.url), "utf8")), "net-default.json");

  it("lists the engine's models, each a valid case with its description; walrand-bias at s = 0.6", () => {
    const models = heterogeneityModels();
    expect(models.map((m) => m.id)).toEqual(Object.keys(CASE_HETEROGENEITY_MODELS));
    for (const m of models) {
      const json = caseFromSettings(base, settingsFromCase(base, m.id), m.transport);
      loadSimulationCase(json, "playground case");
      const { transport } = parseTransportSections(json);
      expect(transport.heterogeneity.model, m.id).toBe(m.id);
      expect(transport.bias, m.id).toBe(m.id === "walrand-bias" ? 0.6 : 0.5);
      // The engine's own description is in the label (walrand-bias: with its parameter filled in, below).
      if (m.id !== "walrand-bias") expect(m.label, m.id).toContain((CASE_HETEROGENEITY_MODELS as Record<string, string>)[m.id]);
    }
    const walrand = models.find((m) => m.id === "walrand-bias")!;
    expect(walrand.transport.bias).toBe(0.6);
    // The engine's description with its parameter filled in (the label once read "s = transport.bias").
    expect(walrand.label).toContain("odds s/(1 − s) for a random daughter per bifurcation, s = 0.6, Walrand 2014");
    expect(walrand.label).not.toContain("transport.bias");
  });
});

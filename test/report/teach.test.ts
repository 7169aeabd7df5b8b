/**
 * The report that teaches (issue 18.3): clinical isodose levels, the number format, the cluster
 * definition, liver and tumour outlines on the tree, a title from the plan (not the case's name).
 * Unit tests: the isodose levels are the EANM 2022 numbers by construction.
 */
import { describe, expect, it } from "vitest";
import { clinicalIsodoses, formatNumber, formatQuantity, labelOutlines, parseReportConfig, renderReport } from "../../src/report/index.js";
import { formatActivityGBq } from "../../src/report/format.js";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore } from "../../src/pipeline/simulate.js";
import { clusterDefinition, finishSimulation, treatmentHeadline } from "../../src/pipeline/finish.js";
import { smallCase } from "../pipeline/smallCase.js";
import { phantomReportInput } from "./phantom.js";

const levels = (c: Parameters<typeof clinicalIsodoses>[0]) => clinicalIsodoses(c).map((l) => l.doseGy);

/** The JSON data block of a rendered report. */
function reportData(html: string): any {
  const m = /<script type="application\/json" id="sirtsim-data">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]);
}

describe("clinicalIsodoses (unit: EANM 2022 Tables 2–4 as src/physics/eanm2022.ts holds them)", () => {
  it("resin: 40 Gy normal-liver limit (30 after chemotherapy), tumour target band 100–120 Gy", () => {
    expect(levels({ product: "sir-spheres", indication: "net", scenario: "whole-liver", pretreated: false })).toEqual([40, 100, 120]);
    expect(levels({ product: "sir-spheres", indication: "mcrc", scenario: "whole-liver", pretreated: true })).toEqual([30, 100, 120]);
  });
  it("glass: 75 Gy normal liver, 205 Gy tumour, and 400 Gy in a segmentectomy", () => {
    expect(levels({ product: "therasphere", indication: "hcc", scenario: "lobar", pretreated: false })).toEqual([75, 205]);
    expect(levels({ product: "therasphere", indication: "hcc", scenario: "segmentectomy", pretreated: false })).toEqual([75, 205, 400]);
  });
  it("Ho-166: 60 Gy perfused liver, plus 90 Gy (mCRC) or 150 Gy (ICC) tumour", () => {
    expect(levels({ product: "quiremspheres", indication: "mcrc", scenario: "whole-liver", pretreated: false })).toEqual([60, 90]);
    expect(levels({ product: "quiremspheres", indication: "icc", scenario: "whole-liver", pretreated: false })).toEqual([60, 150]);
  });
});

describe("report section", () => {
  it("parseReportConfig defaults to the clinical levels (null) and rejects a negative level naming the field", () => {
    expect(parseReportConfig(undefined).isodoseGy).toBeNull();
    expect(parseReportConfig({ isodoseGy: [40, 205] }).isodoseGy).toEqual([40, 205]);
    expect(() => parseReportConfig({ isodoseGy: [-1] })).toThrow(/report\.isodoseGy\[0\]/);
    expect(() => parseReportConfig({ isodose: [40] })).toThrow(/report/);
  });
});

describe("formatNumber", () => {
  it("3 significant digits, integers ≥ 1000 in full with separators, exponent outside [1e-3, 1e6)", () => {
    expect(formatNumber(1.98437)).toBe("1.98");
    expect(formatNumber(1184.6)).toBe("1180");
    expect(formatNumber(22_700_000)).toBe("22,700,000");
    expect(formatNumber(0.0001234)).toBe("1.23e-4");
    expect(formatNumber(null)).toBe("–");
    expect(formatQuantity(0.04 * 100, "%")).toBe("4 %");
  });
});

describe("renderReport teaching additions", () => {
  it("labelled isodose levels reach the page with whether the dose reaches them", () => {
    const input = { ...phantomReportInput(24), isodoseGy: [{ doseGy: 40, label: "normal-liver limit" }, { doseGy: 1e4, label: "unreachable" }] };
    const data = reportData(renderReport(input));
    expect(data.isodoses).toEqual([
      { doseGy: 40, label: "normal-liver limit", reached: true },
      { doseGy: 1e4, label: "unreachable", reached: false },
    ]);
  });

  it("the tree's colour bar starts at the smallest positive lodged value, and outlines travel with the tree", () => {
    const input = phantomReportInput(24);
    const lodged = Array.from(input.tree!.lodged);
    const minPositive = Math.min(...lodged.filter((v) => v > 0));
    const html = renderReport({ ...input, tree: { ...input.tree!, outlines: [{ name: "liver", kind: "liver", pointsMm: [0, 0, 0, 1, 1, 1] }] } });
    const data = reportData(html);
    expect(data.tree.minPositiveLodged).toBe(minPositive);
    expect(html).toContain(`<span id="tree-colour-min">${formatNumber(minPositive)}</span>`);
    expect(data.tree.outlines.map((o: any) => [o.name, o.count])).toEqual([["liver", 2]]);
  });
});

describe("labelOutlines", () => {
  it("puts the surface points of a voxelised ball within one voxel of its radius, at most maxPoints", () => {
    const n = 32;
    const g = axisAlignedGeometry([n, n, n], [2, 2, 2], [-31, -31, -31]);
    const data = new Uint8Array(n ** 3);
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const x = -31 + 2 * i, y = -31 + 2 * j, z = -31 + 2 * k;
      data[i + n * (j + n * k)] = x * x + y * y + z * z <= 20 ** 2 ? 1 : 0;
    }
    const [ball] = labelOutlines({ ...g, data }, [{ name: "ball", kind: "tumour", labels: [1] }], 500);
    const p = ball.pointsMm;
    expect(p.length / 3).toBe(500);
    for (let s = 0; s < p.length; s += 3) {
      const r = Math.hypot(p[s], p[s + 1], p[s + 2]);
      expect(r).toBeGreaterThan(20 - 2 * Math.sqrt(3));
      expect(r).toBeLessThanOrEqual(20);
    }
    expect(labelOutlines({ ...g, data }, [{ name: "none", kind: "tumour", labels: [7] }])).toEqual([]);
  });
});

describe("a simulation's report", () => {
  it("is titled by the planned product, method and activity, not by the case name; draws the clinical isodoses and outlines; defines a cluster", async () => {
    // A glass case whose name still says resin (the tutorial's copy of the default case).
    const simCase = loadSimulationCase(smallCase({ name: "NET liver metastases, bilobar, resin (default case)", product: "therasphere", tree: { terminals: 1500, seed: 3 }, dose: { voxelMm: 5 } }));
    const core = simulateCore(simCase);
    const part = depositLodgedSpheres(simCase, core);
    const { summary, report } = await finishSimulation(simCase, core, part.counts, part.outsideGrid);
    expect(report.title).toBe(`sirtsim — TheraSphere (Y-90 glass), partition model, ${formatActivityGBq(summary.activityGBq)}`);
    expect(treatmentHeadline(summary)).toContain("TheraSphere (Y-90 glass)");
    expect(report.subtitle).toContain("resin (default case)");
    expect((report.isodoseGy ?? []).map((l) => (typeof l === "number" ? l : l.doseGy))).toEqual([75, 205]);
    expect(report.tree!.outlines!.map((o) => o.name)).toEqual(["liver", "right", "left"]);
    expect(report.clusterHistogram?.definition).toBe(clusterDefinition(core.transport.clusters.distanceMm));
    // report.isodoseGy in the case replaces them.
    const custom = loadSimulationCase({ ...simCase.caseJson, report: { isodoseGy: [50, 150] } });
    const out2 = await finishSimulation(custom, core, part.counts, part.outsideGrid);
    expect(out2.report.isodoseGy).toEqual([50, 150]);
  });
});

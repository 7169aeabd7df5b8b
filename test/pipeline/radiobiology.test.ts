/**
 * BED and EUD per compartment in a simulation's summary and report (issue 15.5): each geometry
 * tumour with the tumour LQ parameters, normal liver and the whole liver with normal-liver ones,
 * the lung with lung ones, all taken from the case's dose.radiobiology.
 * Unit test (wiring, true by construction): the summary's values are recomputed with the same
 * voiRadiobiology on the same voxels; it checks which parameters and voxels reach it, not the
 * model (validation of BED/EUD: test/dose/radiobiology.test.ts). The Jensen inequalities are
 * properties any correct model satisfies.
 */
import { describe, expect, it } from "vitest";
import { voiMask } from "../../src/pipeline/doseStage.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore } from "../../src/pipeline/simulate.js";
import { finishSimulation } from "../../src/pipeline/finish.js";
import { bedPermanentImplantGy, RADIOBIOLOGY_DEFAULTS, voiRadiobiology } from "../../src/dose/radiobiology.js";
import { smallCase } from "./smallCase.js";

describe("simulate: radiobiology per compartment", () => {
  const radiobiology = { tumour: { alphaBetaGy: 8, alphaPerGy: 0.004 }, lung: { alphaBetaGy: 2.8 } };
  const simCase = loadSimulationCase(smallCase({ dose: { voxelMm: 4, radiobiology, eudA: -10 } }));
  const core = simulateCore(simCase);

  it("summary.compartments[*].radiobiology uses the case's tumour parameters for tumours and normal-liver ones for normal and liver; lung BED of its dose", async () => {
    const part = depositLodgedSpheres(simCase, core);
    const { summary, dose, report } = await finishSimulation(simCase, core, part.counts, part.outsideGrid);
    expect(summary.compartments.right.radiobiology).toMatchObject({ tissue: "tumour", alphaBetaGy: 8, repairHalfTimeH: 1.5, alphaPerGy: 0.004 });
    expect(summary.compartments.normal.radiobiology).toMatchObject({ tissue: "normalLiver", alphaBetaGy: 2.5, repairHalfTimeH: 2.5 });
    expect(summary.compartments.liver.radiobiology?.tissue).toBe("normalLiver");
    // The tumour's values are those of its voxel doses (the labels of the right tumour: 2 and 4);
    // same function on the same voxels: a wiring check.
    const mask = voiMask(dose.labels, [2, 4]);
    const voxels: number[] = [];
    for (let n = 0; n < mask.data.length; n++) if (mask.data[n]) voxels.push(dose.doseGy.data[n]);
    const expected = voiRadiobiology(voxels, { nuclide: "Y-90", tissue: "tumour", params: { alphaBetaGy: 8, repairHalfTimeH: 1.5, alphaPerGy: 0.004, tcp: RADIOBIOLOGY_DEFAULTS.tumour.tcp } });
    expect(summary.compartments.right.radiobiology!.meanBedGy).toBeCloseTo(expected.meanBedGy, 9);
    expect(summary.compartments.right.radiobiology!.eudGy).toBeCloseTo(expected.eudGy, 9);
    // A heterogeneous dose: EUD below the mean dose, mean BED above the BED of the mean dose (Jensen).
    const right = summary.compartments.right;
    expect(right.radiobiology!.eudGy).toBeLessThan(right.meanDoseGy);
    expect(right.radiobiology!.meanBedGy).toBeGreaterThan(bedPermanentImplantGy(right.meanDoseGy, "Y-90", { alphaBetaGy: 8, repairHalfTimeH: 1.5 }));
    expect(right.gEudGy).toBeLessThan(right.meanDoseGy);
    expect(summary.lung.radiobiology.meanBedGy).toBeCloseTo(bedPermanentImplantGy(summary.lung.meanDoseGy, "Y-90", { alphaBetaGy: 2.8, repairHalfTimeH: 1.5 }), 9);
    expect(summary.lung.radiobiology.eudGy).toBeCloseTo(summary.lung.meanDoseGy, 9);
    // The report's metrics table carries them, and TCP (tumours) / NTCP (normal liver) (src/pipeline/outcomeReport.ts).
    const col = (name: string) => report.metrics.columns.indexOf(name);
    const row = report.metrics.rows.find((r) => r[0] === "right")!;
    expect([row[col("mean BED (Gy)")], row[col("EUD (Gy)")]]).toEqual([right.radiobiology!.meanBedGy, right.radiobiology!.eudGy]);
    expect(right.radiobiology!.tcp).toBeCloseTo(expected.tcp!, 9);
    expect([row[col("TCP")], row[col("NTCP")]]).toEqual([right.radiobiology!.tcp, null]);
    const normal = report.metrics.rows.find((r) => r[0] === "normal")!;
    expect(summary.compartments.normal.radiobiology!.ntcp).toEqual(expect.any(Number));
    expect([normal[col("TCP")], normal[col("NTCP")]]).toEqual([null, summary.compartments.normal.radiobiology!.ntcp]);
    expect(report.notes?.some((n) => n.includes("Lyman–Kutcher–Burman"))).toBe(true);
  });
});

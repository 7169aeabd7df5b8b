/**
 * Writing a simulation's files into a (staging) directory. The CLI opens the output folder first
 * (openOutputDir: lock, checks) and commits the staged set as a whole (src/io/atomic.ts).
 */
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { stringifyResult, dvhToCsv, dvhToJson, writeNifti } from "../io/index.js";
import { csvField } from "../io/csv.js";
import { renderReport } from "../report/index.js";
import { itkSnapLabelDescriptions, slicerColorTable } from "../io/labelTable.js";
import { treeToVtp } from "../vascular/index.js";
import type { SimulationCore } from "./simulate.js";
import type { SimulationOutputs } from "./finish.js";
import type { SimulationStageFiles } from "./stageFiles.js";

/** The files a simulation writes, for the CLI's listing. */
export const SIMULATION_FILES = [
  "summary.json",
  "dose.nii.gz",
  "dose-ldm.nii.gz",
  "labels.nii.gz",
  "labels.ctbl",
  "labels-itksnap.txt",
  "dvh.csv",
  "dvh.json",
  "metrics.csv",
  "tree.vtp",
  "tree.bin",
  "transport.json",
  "lodged.bin",
  "report.html",
  "case.json",
] as const;

/** The files writeSimulationOutputs writes for `outputs`: SIMULATION_FILES, and perfused.nii.gz for a selective injection. */
export function simulationFiles(outputs: Pick<SimulationOutputs, "dose">): string[] {
  if (!outputs.dose.perfused) return [...SIMULATION_FILES];
  const after = SIMULATION_FILES.indexOf("labels.nii.gz") + 1;
  return [...SIMULATION_FILES.slice(0, after), "perfused.nii.gz", ...SIMULATION_FILES.slice(after)];
}

/**
 * metrics.csv: one row per VOI (the lung last) with its volume, mean doses, every requested D_x
 * (Gy) and V_y (fraction 0..1) of `dose.dPercents` / `dose.vThresholdsGy`, and BED / EUD: the
 * numbers of summary.json in a table any spreadsheet opens.
 */
export function metricsCsv(s: SimulationOutputs["summary"]): string {
  const first = Object.values(s.compartments)[0];
  const dKeys = first ? Object.keys(first.doseAtVolumeGy) : [];
  const vKeys = first ? Object.keys(first.volumeAtDose) : [];
  const lines = [["voi", "volumeMl", "spheres", "meanDoseGy", "meanDoseLdmGy", ...dKeys.map((k) => `${k}Gy`), ...vKeys, "meanBedGy", "eudGy"].join(",")];
  const cell = (x: number | null | undefined) => (x === null || x === undefined ? "" : String(x));
  for (const [name, c] of Object.entries(s.compartments)) {
    lines.push([csvField(name), cell(c.volumeMl), cell(c.spheres), cell(c.meanDoseGy), cell(c.meanDoseLdmGy), ...dKeys.map((k) => cell(c.doseAtVolumeGy[k])), ...vKeys.map((k) => cell(c.volumeAtDose[k])), cell(c.radiobiology?.meanBedGy), cell(c.radiobiology?.eudGy)].join(","));
  }
  lines.push(["lung", "", cell(s.lung.spheres), cell(s.lung.meanDoseGy), cell(s.lung.meanDoseGy), ...dKeys.map(() => ""), ...vKeys.map(() => ""), cell(s.lung.radiobiology.meanBedGy), cell(s.lung.radiobiology.eudGy)].join(","));
  return `${lines.join("\n")}\n`;
}

export async function writeSimulationOutputs(dir: string, caseJson: unknown, core: SimulationCore, outputs: SimulationOutputs, stages: SimulationStageFiles): Promise<void> {
  const curves = outputs.report.dvh;
  await writeFile(join(dir, "summary.json"), stringifyResult(outputs.summary));
  await writeNifti(join(dir, "dose.nii.gz"), outputs.dose.doseGy, { description: "sirtsim absorbed dose, Gy (S-value convolution)" });
  await writeNifti(join(dir, "dose-ldm.nii.gz"), outputs.dose.ldmDoseGy, { description: "sirtsim absorbed dose, Gy (local deposition)" });
  await writeNifti(join(dir, "labels.nii.gz"), outputs.dose.labels, { description: "0 out, 1 normal, 2+t tumour t, 2+T+t necrotic" });
  // A selective injection's VOIs are bounded by its perfused territory: written so that summary's
  // `normal` and `perfused` (labels.nii.gz ∩ this mask) can be recomputed from the images.
  if (outputs.dose.perfused) await writeNifti(join(dir, "perfused.nii.gz"), outputs.dose.perfused, { description: "1 = perfused territory of the injected artery" });
  const anatomy = outputs.report.anatomy;
  const names = (anatomy?.kind === "labels" ? anatomy.names : undefined) ?? { 1: "normal liver" };
  await writeFile(join(dir, "labels.ctbl"), slicerColorTable(names));
  await writeFile(join(dir, "labels-itksnap.txt"), itkSnapLabelDescriptions(names));
  await writeFile(join(dir, "dvh.csv"), dvhToCsv(curves));
  await writeFile(join(dir, "dvh.json"), stringifyResult(dvhToJson(curves)));
  await writeFile(join(dir, "metrics.csv"), metricsCsv(outputs.summary));
  await writeFile(join(dir, "tree.vtp"), treeToVtp(core.tree, { lodgedSpheres: Int32Array.from(core.transport.segmentLodged) }));
  await writeFile(join(dir, "tree.bin"), stages.treeBytes);
  await writeFile(join(dir, "transport.json"), stages.transportJsonText);
  await writeFile(join(dir, "lodged.bin"), stages.lodgedBytes);
  await writeFile(join(dir, "report.html"), renderReport(outputs.report));
  await writeFile(join(dir, "case.json"), `${JSON.stringify(caseJson, null, 2)}\n`);
}

/**
 * Writing a simulation's files into a (staging) directory. The CLI opens the output folder first
 * (openOutputDir: lock, checks) and commits the staged set as a whole (src/io/atomic.ts).
 */
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { stringifyResult, dvhToCsv, dvhToJson, writeNifti } from "../io/index.js";
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
  "tree.vtp",
  "tree.bin",
  "transport.json",
  "lodged.bin",
  "report.html",
  "case.json",
] as const;

export async function writeSimulationOutputs(dir: string, caseJson: unknown, core: SimulationCore, outputs: SimulationOutputs, stages: SimulationStageFiles): Promise<void> {
  const curves = outputs.report.dvh;
  await writeFile(join(dir, "summary.json"), stringifyResult(outputs.summary));
  await writeNifti(join(dir, "dose.nii.gz"), outputs.dose.doseGy, { description: "sirtsim absorbed dose, Gy (S-value convolution)" });
  await writeNifti(join(dir, "dose-ldm.nii.gz"), outputs.dose.ldmDoseGy, { description: "sirtsim absorbed dose, Gy (local deposition)" });
  await writeNifti(join(dir, "labels.nii.gz"), outputs.dose.labels, { description: "0 out, 1 normal, 2+t tumour t, 2+T+t necrotic" });
  const anatomy = outputs.report.anatomy;
  const names = (anatomy?.kind === "labels" ? anatomy.names : undefined) ?? { 1: "normal liver" };
  await writeFile(join(dir, "labels.ctbl"), slicerColorTable(names));
  await writeFile(join(dir, "labels-itksnap.txt"), itkSnapLabelDescriptions(names));
  await writeFile(join(dir, "dvh.csv"), dvhToCsv(curves));
  await writeFile(join(dir, "dvh.json"), stringifyResult(dvhToJson(curves)));
  await writeFile(join(dir, "tree.vtp"), treeToVtp(core.tree, { lodgedSpheres: Int32Array.from(core.transport.segmentLodged) }));
  await writeFile(join(dir, "tree.bin"), stages.treeBytes);
  await writeFile(join(dir, "transport.json"), stages.transportJsonText);
  await writeFile(join(dir, "lodged.bin"), stages.lodgedBytes);
  await writeFile(join(dir, "report.html"), renderReport(outputs.report));
  await writeFile(join(dir, "case.json"), `${JSON.stringify(caseJson, null, 2)}\n`);
}

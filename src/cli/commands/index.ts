/** Every subcommand, in the order `sirtsim --help` lists them. Each file owns one command. */
import type { Command } from "commander";
import { registerPlan } from "./plan.js";
import { registerTree } from "./tree.js";
import { registerTransport } from "./transport.js";
import { registerKernel } from "./kernel.js";
import { registerDose } from "./dose.js";
import { registerSimulate } from "./simulate.js";
import { registerMerge } from "./merge.js";
import { registerCompare } from "./compare.js";
import { registerPlanImages } from "./planImages.js";
import { registerExportRtDose } from "./exportRtDose.js";
import { registerStudy } from "./study.js";
import { registerPlayground } from "./playground.js";

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerPlan,
  registerPlanImages,
  registerTree,
  registerTransport,
  registerKernel,
  registerDose,
  registerSimulate,
  registerMerge,
  registerCompare,
  registerExportRtDose,
  registerStudy,
  registerPlayground,
];

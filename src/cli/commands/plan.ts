/**
 * `sirtsim plan CASE.json [--json]`: plan a treatment with the clinical methods (BSA, MIRD,
 * partition). Prints a readable table, or with `--json` exactly one JSON document on stdout.
 * Invalid input exits 2 with one line naming the field (action() in ../run.js).
 */
import type { Command } from "commander";
import { checkMemory, estimateTreeMemory, MAX_MEMORY_OPTION, memoryLimitBytes } from "../../pipeline/memory.js";
import { growCaseTree, needsTreeToPlan, planSafety, readCaseFile, resolveCase, resolvePlan } from "../../pipeline/resolveCase.js";
import type { PlanSafety } from "../../pipeline/resolveCase.js";
import type { CompartmentResult, LungResult, PlanResult } from "../../planning/types.js";
import { PRODUCTS } from "../../physics/products.js";
import { action, EXIT_UNSAFE } from "../run.js";
import { applyStrict, formatSafety, safetyWarnings, warnOnStderr } from "../safety.js";
import { printJson, printText } from "../output.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("plan a treatment from a case file (BSA, MIRD or partition model); any bundled case, simulation cases included")
    .argument("<case>", "case file (JSON)")
    .option("--json", "print one JSON document on stdout")
    .option("--strict", `exit ${EXIT_UNSAFE} when a contraindication or an exceeded limit remains`)
    .option(...MAX_MEMORY_OPTION)
    .action(
      action(async (caseFile: string, options: { json?: boolean; strict?: boolean; maxMemory?: string }) => {
        await runPlan(caseFile, options);
      }),
    );
}

/**
 * What `plan --json` prints: the plan at the injected activity, its safety block, and the activity
 * to dispense (administered / (1 − residualFraction), the residual staying in vial and tubing).
 */
export type PlanDocument = PlanResult & { readonly safety: PlanSafety; readonly residualFraction: number; readonly dispensedActivityGBq: number };

/** Residual fraction and dispensed activity of a plan (src/planning/decay.ts; residual 0 when not given). */
function dispensedOf(r: PlanResult): { residualFraction: number; dispensedActivityGBq: number } {
  const residualFraction = r.decay?.residualFraction ?? 0;
  return { residualFraction, dispensedActivityGBq: r.activityGBq / (1 - residualFraction) };
}

/**
 * The `plan` command's work: read and resolve the case as every command does
 * (src/pipeline/resolveCase.ts), plan, print. A selective injection of a case whose compartments
 * come from the geometry is planned on the injected territory, so the tree is grown first.
 */
export async function runPlan(caseFile: string, options: { json?: boolean; strict?: boolean; maxMemory?: string } = {}): Promise<PlanDocument> {
  // Parsed first, so a bad --max-memory is refused whatever the case (it applies when the plan grows a tree).
  const memoryLimit = memoryLimitBytes(options.maxMemory);
  const simCase = resolveCase(await readCaseFile(caseFile));
  let tree;
  if (needsTreeToPlan(simCase)) {
    // Growing the tree is the one expensive step of a plan: its memory is checked first, as `tree` checks it.
    checkMemory(estimateTreeMemory(simCase.tree.terminals, "tree"), memoryLimit, "tree.terminals");
    process.stderr.write(`plan: growing the tree (${simCase.tree.terminals} terminals) to find the injected territory\n`);
    tree = growCaseTree(simCase);
  }
  const { plan, safety } = resolvePlan(simCase, tree);
  const result: PlanDocument = { ...plan, safety, ...dispensedOf(plan) };
  if (options.json) {
    printJson(result);
    warnOnStderr(safetyWarnings(safety));
  } else printText(formatPlan(result, safety), false);
  applyStrict(options.strict, safety);
  return result;
}

const fmt = (x: number | null | undefined, digits: number) => (x === null || x === undefined ? "—" : x.toFixed(digits));
/** A mass in kg: 3 decimals, or 3 significant digits below 1 g (a 0.28 g tumour is not "0.000"). */
const kg = (x: number) => (x > 0 && x < 0.001 ? x.toPrecision(3) : x.toFixed(3));

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join("  ")).join("\n");
}

/** The human-readable plan. */
export function formatPlan(r: PlanResult, safety?: PlanSafety): string {
  const lines: string[] = [];
  const product = PRODUCTS[r.product];
  lines.push(`sirtsim plan: ${r.method} method, ${product.name}`);
  const how = safety?.limitedBy ? `held to the ${safety.limitedBy} limit; the method planned ${safety.plannedActivityGBq.toFixed(4)} GBq` : r.target ? `to give ${r.target.doseGy} Gy to ${r.target.compartment}` : r.bsa ? "by the BSA formula" : "as given";
  lines.push(`Administered activity: ${r.activityGBq.toFixed(4)} GBq (${how})`);
  const d = dispensedOf(r);
  if (d.residualFraction > 0) lines.push(`Dispensed activity: ${d.dispensedActivityGBq.toFixed(4)} GBq (${(100 * d.residualFraction).toFixed(1)} % stays in vial and tubing: administered / (1 − residual))`);
  const p = r.provenance;
  // The source of a derived K starts "Derived from …": not "derived: Derived from …".
  const source = p.doseCoefficientSource.toLowerCase().startsWith(p.doseCoefficientConvention.toLowerCase()) ? p.doseCoefficientSource : `${p.doseCoefficientConvention}: ${p.doseCoefficientSource}`;
  lines.push(`Dose coefficient K: ${p.doseCoefficientGyKgPerGBq.toFixed(2)} Gy·kg/GBq (${source}), ${p.nuclide}`);
  if (r.bsa) {
    lines.push(
      `BSA ${r.bsa.bsaM2.toFixed(3)} m², tumour involvement ${(100 * r.bsa.tumourInvolvementFraction).toFixed(1)} %, ` +
        `perfused fraction ${(100 * r.bsa.perfusedFractionOfLiver).toFixed(1)} %, ` +
        `unreduced ${r.bsa.unreducedActivityGBq.toFixed(4)} GBq × LSF factor ${r.bsa.lsfReductionFactor}`,
    );
  }
  lines.push("");
  const rows: string[][] = [["compartment", "kind", "mass kg", "activity GBq", "dose Gy", "T/N"]];
  for (const [name, value] of Object.entries(r.compartments)) {
    if (name === "lung") continue;
    const c = value as CompartmentResult;
    rows.push([name, c.kind, kg(c.massKg), fmt(c.activityGBq, 4), fmt(c.doseGy, 2), c.tumourToNormalRatio === undefined ? "" : String(Number(c.tumourToNormalRatio.toPrecision(4)))]);
  }
  rows.push(["(perfused)", "mean", kg(r.perfused.massKg), fmt(r.perfused.activityGBq, 4), fmt(r.perfused.doseGy, 2), ""]);
  const lung = r.compartments.lung as LungResult;
  rows.push(["lung", "lung", fmt(lung.massKg, 3), fmt(lung.activityGBq, 4), fmt(lung.doseGy, 2), ""]);
  lines.push(table(rows));
  if (lung.priorDoseGy > 0) lines.push(`Cumulative lung dose: ${lung.cumulativeDoseGy.toFixed(2)} Gy (prior ${lung.priorDoseGy} Gy)`);
  lines.push("");
  const limitRows: string[][] = [["constraint", "limit", "value", "max activity GBq", ""]];
  for (const [name, c] of Object.entries(r.limits.constraints)) {
    limitRows.push([
      name,
      `${c.limit} ${c.unit}`,
      `${c.value.toFixed(c.unit === "GBq" ? 4 : 2)} ${c.unit}`,
      fmt(c.maxActivityGBq, 4),
      `${c.satisfied ? "ok" : "EXCEEDED"}${r.limits.binding === name ? " (binds)" : ""}`,
    ]);
  }
  for (const [name, t] of Object.entries(r.limits.tumourTargets)) {
    limitRows.push([`tumour ${name} ≥`, `${t.doseTargetGy} Gy`, `${t.doseGy.toFixed(2)} Gy`, `min ${t.minActivityGBq.toFixed(4)}`, t.reached ? "reached" : "BELOW"]);
  }
  lines.push(table(limitRows));
  lines.push(`Largest activity within every limit: ${fmt(r.limits.maxActivityGBq, 4)} GBq${r.limits.binding ? ` (${r.limits.binding} binds)` : ""}`);
  if (r.decay) {
    const d = r.decay;
    lines.push("");
    lines.push(
      `Decay: ${d.hoursCalibrationToTreatment.toFixed(2)} h from calibration to treatment (factor ${d.decayFactor.toFixed(4)}), residual ${(100 * d.residualFraction).toFixed(1)} %`,
    );
    lines.push(
      `  order ${d.activityAtCalibrationGBq.toFixed(4)} GBq at calibration → dispense ${d.dispensedActivityGBq.toFixed(4)} GBq → ` +
        `deliver ${d.deliveredActivityGBq.toFixed(4)} GBq (residual ${d.residualActivityGBq.toFixed(4)} GBq)`,
    );
  }
  lines.push("");
  lines.push(...formatSafety(safety ?? planSafety(r)));
  return lines.join("\n");
}

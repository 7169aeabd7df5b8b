/**
 * `sirtsim plan CASE.json [--json]`: plan a treatment with the clinical methods (BSA, MIRD,
 * partition). Prints a readable table, or with `--json` exactly one JSON document on stdout.
 * Invalid input exits 2 with one line naming the field (action() in ../run.js).
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../../errors.js";
import { parseCase } from "../../io/caseFile.js";
import { planTreatment } from "../../planning/plan.js";
import type { CompartmentResult, LungResult, PlanResult } from "../../planning/types.js";
import { PRODUCTS } from "../../physics/products.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description("plan a treatment from a case file (BSA, MIRD or partition model)")
    .argument("<case>", "case file (JSON)")
    .option("--json", "print one JSON document on stdout")
    .action(
      action(async (caseFile: string, options: { json?: boolean }) => {
        await runPlan(caseFile, options);
      }),
    );
}

/** The `plan` command's work: read, validate, plan, print. */
export async function runPlan(caseFile: string, options: { json?: boolean } = {}): Promise<PlanResult> {
  const result = planTreatment(await readCase(caseFile), { version: packageVersion() });
  if (options.json) printJson(result);
  else printText(formatPlan(result), false);
  return result;
}

/** Read and validate a case file; unreadable or malformed files are input errors naming the file. */
export async function readCase(caseFile: string): Promise<ReturnType<typeof parseCase>> {
  let text: string;
  try {
    text = await readFile(caseFile, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new InputError(caseFile, `${caseFile}: cannot read the case file${code ? ` (${code})` : ""}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(caseFile, `${caseFile}: not valid JSON (${(err as Error).message})`);
  }
  return parseCase(json, caseFile);
}

let cachedVersion: string | undefined;

/** The package version, found by walking up from this file (works from src/ and dist/src/). */
function packageVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sirtsim" && pkg.version) return (cachedVersion = pkg.version);
    }
    dir = dirname(dir);
  }
  return (cachedVersion = "unknown");
}

const fmt = (x: number | null | undefined, digits: number) => (x === null || x === undefined ? "—" : x.toFixed(digits));

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join("  ")).join("\n");
}

/** The human-readable plan. */
export function formatPlan(r: PlanResult): string {
  const lines: string[] = [];
  const product = PRODUCTS[r.product];
  lines.push(`sirtsim plan: ${r.method} method, ${product.name}`);
  const how = r.target ? `to give ${r.target.doseGy} Gy to ${r.target.compartment}` : r.bsa ? "by the BSA formula" : "as given";
  lines.push(`Administered activity: ${r.activityGBq.toFixed(4)} GBq (${how})`);
  const p = r.provenance;
  lines.push(`Dose coefficient K: ${p.doseCoefficientGyKgPerGBq} Gy·kg/GBq (${p.doseCoefficientConvention}: ${p.doseCoefficientSource}), ${p.nuclide}`);
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
    rows.push([name, c.kind, fmt(c.massKg, 3), fmt(c.activityGBq, 4), fmt(c.doseGy, 2), c.tumourToNormalRatio === undefined ? "" : String(c.tumourToNormalRatio)]);
  }
  rows.push(["(perfused)", "mean", fmt(r.perfused.massKg, 3), fmt(r.perfused.activityGBq, 4), fmt(r.perfused.doseGy, 2), ""]);
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
  if (r.advisories.length === 0) lines.push("Advisories: none");
  else {
    lines.push("Advisories:");
    for (const a of r.advisories) lines.push(`  [${a.level}] ${a.code}: ${a.message}`);
  }
  return lines.join("\n");
}

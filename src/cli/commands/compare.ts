/**
 * `sirtsim compare A B --out DIR [--labels L] [--label-names F] [--ct CT] [--gamma-dose-percent 5]
 *  [--gamma-dta-mm 4] [--gamma-threshold-percent 10] [--gamma-local] [--gamma-max 2] [--gamma-step-mm S]
 *  [--v-gy 100] [--json]`
 *
 * Prediction against delivery: two dose maps (MAA-predicted vs Y-90 PET post-treatment, or two
 * plans), each a NIfTI (Gy) or a DICOM RT Dose. B is resampled (trilinear) onto A's grid when the
 * grids differ; both must be on one frame of reference when both are DICOM. Per VOI: Dmean, D70,
 * V100 (or --v-gy) of A and B and their differences B − A; a 3-D gamma index of B against A
 * (src/dose/gamma.ts; default 5 %/4 mm global, 10 % threshold). Writes into DIR:
 *   compare.json  the summary printed by --json
 *   dvh.csv       both DVHs per VOI
 *   gamma.nii.gz  γ per voxel on A's grid (−1 where not evaluated)
 *   compare.html  overlaid DVHs (SVG) and the table, self-contained
 */
import type { Command } from "commander";
import { join } from "node:path";
import { InputError } from "../../errors.js";
import { dvh, dvhCurve, type Dvh } from "../../dose/dvh.js";
import { gammaIndex } from "../../dose/gamma.js";
import { doseAtVolumePercent, volumeFractionAtLeast } from "../../dose/dvh.js";
import type { Grid } from "../../geometry/grid.js";
import { runIntoOutputDir, type OutputDir, writeFileAtomic } from "../../io/atomic.js";
import { labelContext, readImageInput, readLabelsInput, type ImageInput } from "../../io/imageInput.js";
import { writeNifti } from "../../io/nifti.js";
import { resampleGrid, sameGeometry } from "../../io/resample.js";
import { escapeHtml } from "../../report/index.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";
import { parseNumberOption } from "./kernel.js";

interface CompareOptions {
  out: string;
  labels?: string;
  labelNames?: string;
  ct?: string;
  gammaDosePercent: string;
  gammaDtaMm: string;
  gammaThresholdPercent: string;
  gammaLocal?: boolean;
  gammaMax: string;
  gammaStepMm?: string;
  vGy: string;
  json?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command("compare")
    .description("compare two dose maps (predicted vs delivered): per-VOI ΔDmean, ΔD70, ΔV100, DVHs, 3-D gamma")
    .argument("<a>", "reference dose: NIfTI (Gy) or DICOM RT Dose (e.g. the MAA prediction)")
    .argument("<b>", "evaluated dose: NIfTI (Gy) or DICOM RT Dose (e.g. the Y-90 PET dose)")
    .requiredOption("--out <dir>", "output directory")
    .option("--labels <labels>", "VOIs: NIfTI label map, RTSTRUCT or SEG (resampled onto A's grid)")
    .option("--label-names <file>", "name table of a NIfTI label map (default: LABELS.json beside it)")
    .option("--ct <ct>", "CT the RTSTRUCT/SEG were drawn on (DICOM folder or NIfTI)")
    .option("--gamma-dose-percent <pct>", "gamma dose-difference criterion, % of A's maximum (global) or of the local dose", "5")
    .option("--gamma-dta-mm <mm>", "gamma distance-to-agreement, mm", "4")
    .option("--gamma-threshold-percent <pct>", "voxels of A below this % of A's maximum are not evaluated", "10")
    .option("--gamma-local", "local dose-difference normalisation instead of global")
    .option("--gamma-max <g>", "search radius in DTA units; γ beyond is reported as this value", "2")
    .option("--gamma-step-mm <mm>", "gamma search step: B interpolated (trilinear) on a sub-grid of at most this step (default min(DTA, voxel)/3)")
    .option("--v-gy <gy>", "dose level of the V metric (V100 = volume fraction ≥ 100 Gy)", "100")
    .option("--json", "print one JSON document on stdout")
    .action(
      action(async (a: string, b: string, options: CompareOptions) => {
        await runCompare(a, b, options);
      }),
    );
}

interface VoiDelta {
  label: number | "all";
  name: string;
  volumeMl: number;
  a: { meanGy: number; d70Gy: number; vFraction: number };
  b: { meanGy: number; d70Gy: number; vFraction: number };
  delta: { meanGy: number; d70Gy: number; vFraction: number };
}

export interface CompareSummary {
  a: string;
  b: string;
  frameOfReferenceUID: string | null;
  resampledB: boolean;
  dims: number[];
  spacingMm: number[];
  vGy: number;
  vois: VoiDelta[];
  gamma: {
    dosePercent: number;
    distanceMm: number;
    thresholdPercent: number;
    normalisation: "global" | "local";
    maxGamma: number;
    stepMm: number[];
    referenceMaxGy: number;
    evaluatedVoxels: number;
    passedVoxels: number;
    passRate: number;
    meanGamma: number;
    conventions: string;
  };
  outputs: string[];
}

async function readDose(path: string, field: string): Promise<ImageInput> {
  const image = await readImageInput(path, { field, niftiQuantity: "gy" });
  if (image.quantity !== "gy") throw new InputError(field, `${field}: ${path} is ${image.modality || "an image"} (${image.quantity}), not a dose map (RT Dose or a NIfTI in Gy)`);
  for (let n = 0; n < image.grid.data.length; n++) {
    if (!(image.grid.data[n] >= 0)) throw new InputError(field, `${field}: ${path}: voxel ${n} is ${image.grid.data[n]} Gy (doses must be finite and ≥ 0)`);
  }
  return image;
}

export async function runCompare(aPath: string, bPath: string, options: CompareOptions): Promise<CompareSummary> {
  // --out is checked and locked before any work, and released however the run ends.
  return runIntoOutputDir(options.out, (output) => compareInto(output, aPath, bPath, options), [aPath, bPath, options.labels, options.ct]);
}

async function compareInto(output: OutputDir, aPath: string, bPath: string, options: CompareOptions): Promise<CompareSummary> {
  const dosePercent = parseNumberOption("--gamma-dose-percent", options.gammaDosePercent, 0.01, 100, "%");
  const distanceMm = parseNumberOption("--gamma-dta-mm", options.gammaDtaMm, 0.01, 100, "mm");
  const thresholdPercent = parseNumberOption("--gamma-threshold-percent", options.gammaThresholdPercent, 0, 100, "%");
  const maxGamma = parseNumberOption("--gamma-max", options.gammaMax, 1, 10);
  const stepMm = options.gammaStepMm === undefined ? undefined : parseNumberOption("--gamma-step-mm", options.gammaStepMm, 0.01, 100, "mm");
  const vGy = parseNumberOption("--v-gy", options.vGy, 0, 1e6, "Gy");
  if (options.labelNames && !options.labels) throw new InputError("--label-names", "--label-names needs --labels");

  const a = await readDose(aPath, "<a>");
  const b = await readDose(bPath, "<b>");
  if (a.reference && b.reference && a.reference.frameOfReferenceUID !== b.reference.frameOfReferenceUID) {
    throw new InputError("<b>", `${bPath} is on frame of reference ${b.reference.frameOfReferenceUID}, ${aPath} on ${a.reference.frameOfReferenceUID}: register them first`);
  }
  const frameOfReferenceUID = a.reference?.frameOfReferenceUID ?? b.reference?.frameOfReferenceUID;
  const ct = options.ct ? await readImageInput(options.ct, { field: "--ct", niftiQuantity: "hu" }) : undefined;
  const labels = options.labels ? await readLabelsInput(options.labels, { target: a.grid, ...labelContext(a.reference ? a : b, ct, options.labelNames) }) : undefined;
  for (const w of labels?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const resampledB = !sameGeometry(a.grid, b.grid);
  const bOnA: Grid<Float32Array> = resampledB ? resampleGrid(b.grid, a.grid, { method: "trilinear", name: bPath }) : { ...b.grid, frame: a.grid.frame, originMm: a.grid.originMm, direction: a.grid.direction };

  const g = gammaIndex(a.grid, bOnA, { dosePercent, distanceMm, thresholdPercent, maxGamma, stepMm, normalisation: options.gammaLocal ? "local" : "global" });

  const vois: Array<{ label: number | "all"; name: string; ha: Dvh; hb: Dvh }> = [];
  if (labels) {
    const present = [...new Set(labels.labels.data)].filter((l) => l !== 0).sort((x, y) => x - y);
    for (const l of present) vois.push({ label: l, name: labels.names[l] ?? String(l), ha: dvh(a.grid, labels.labels, l), hb: dvh(bOnA, labels.labels, l) });
  } else {
    vois.push({ label: "all", name: "all voxels", ha: dvh(a.grid), hb: dvh(bOnA) });
  }
  const stats = (h: Dvh) => {
    let sum = 0;
    for (let n = 0; n < h.voxelCount; n++) sum += h.sortedDoseGy[n];
    return { meanGy: sum / h.voxelCount, d70Gy: doseAtVolumePercent(h, 70), vFraction: volumeFractionAtLeast(h, vGy) };
  };
  const deltas: VoiDelta[] = vois.map((v) => {
    const sa = stats(v.ha);
    const sb = stats(v.hb);
    return { label: v.label, name: v.name, volumeMl: v.ha.volumeMl, a: sa, b: sb, delta: { meanGy: sb.meanGy - sa.meanGy, d70Gy: sb.d70Gy - sa.d70Gy, vFraction: sb.vFraction - sa.vFraction } };
  });
  const summary: CompareSummary = {
    a: aPath,
    b: bPath,
    frameOfReferenceUID: frameOfReferenceUID ?? null,
    resampledB,
    dims: [...a.grid.dims],
    spacingMm: [...a.grid.spacingMm],
    vGy,
    vois: deltas,
    gamma: {
      dosePercent, distanceMm, thresholdPercent, normalisation: options.gammaLocal ? "local" : "global", maxGamma, stepMm: [...g.stepMm],
      referenceMaxGy: g.referenceMaxGy, evaluatedVoxels: g.evaluatedVoxels, passedVoxels: g.passedVoxels, passRate: g.passRate, meanGamma: g.meanGamma,
      conventions: "B on A's grid; B interpolated (trilinear) on a search sub-grid of step stepMm (voxel centres included) within gamma-max × DTA; A voxels ≥ threshold evaluated; pass γ ≤ 1",
    },
    outputs: ["compare.json", "dvh.csv", "gamma.nii.gz", "compare.html"],
  };

  const binGy = Math.max(0.1, Math.ceil(Math.max(...vois.map((v) => Math.max(v.ha.sortedDoseGy[v.ha.voxelCount - 1], v.hb.sortedDoseGy[v.hb.voxelCount - 1]))) / 200));
  const maxGy = Math.max(...vois.map((v) => Math.max(v.ha.sortedDoseGy[v.ha.voxelCount - 1], v.hb.sortedDoseGy[v.hb.voxelCount - 1])));
  const points = Float64Array.from({ length: Math.floor(maxGy / binGy) + 2 }, (_, i) => i * binGy);
  const curves = vois.map((v) => ({ name: v.name, a: dvhCurve(v.ha, points).volumeFraction, b: dvhCurve(v.hb, points).volumeFraction }));
  const csv = [["dose_gy", ...curves.flatMap((c) => [`a_${c.name}`, `b_${c.name}`])].map(csvField).join(",")];
  for (let i = 0; i < points.length; i++) csv.push([String(points[i]), ...curves.flatMap((c) => [c.a[i].toPrecision(6), c.b[i].toPrecision(6)])].join(","));
  const gammaOut = new Float32Array(g.gamma.data.length);
  for (let n = 0; n < gammaOut.length; n++) gammaOut[n] = Number.isNaN(g.gamma.data[n]) ? -1 : g.gamma.data[n];

  await output.commit(async (dir) => {
    await writeFileAtomic(join(dir, "compare.json"), `${JSON.stringify(summary, null, 2)}\n`);
    await writeFileAtomic(join(dir, "dvh.csv"), `${csv.join("\n")}\n`);
    await writeNifti(join(dir, "gamma.nii.gz"), { ...g.gamma, data: gammaOut }, { description: `gamma ${dosePercent}%/${distanceMm}mm ${summary.gamma.normalisation}` });
    await writeFileAtomic(join(dir, "compare.html"), compareHtml(summary, points, curves));
  });
  if (options.json) printJson(summary);
  else printText(formatCompare(summary, options.out), false);
  return summary;
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

/** A self-contained page: overlaid cumulative DVHs (A solid, B dashed) as SVG, and the table. */
function compareHtml(s: CompareSummary, points: Float64Array, curves: Array<{ name: string; a: Float64Array; b: Float64Array }>): string {
  const w = 720, h = 420, left = 60, bottom = 40, top = 10, right = 10;
  const maxGy = points[points.length - 1] || 1;
  const x = (gy: number) => left + ((w - left - right) * gy) / maxGy;
  const y = (f: number) => top + (h - top - bottom) * (1 - f);
  const path = (f: Float64Array) => Array.from(points, (p, i) => `${x(p).toFixed(1)},${y(f[i]).toFixed(1)}`).join(" ");
  const lines = curves.map((c, i) => {
    const colour = COLOURS[i % COLOURS.length];
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path(c.a)}"><title>A ${escapeHtml(c.name)}</title></polyline>` +
      `<polyline fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4" points="${path(c.b)}"><title>B ${escapeHtml(c.name)}</title></polyline>`;
  });
  const ticks = Array.from({ length: 6 }, (_, i) => (maxGy * i) / 5);
  const axes = `<line x1="${left}" y1="${y(0)}" x2="${w - right}" y2="${y(0)}" stroke="#000"/><line x1="${left}" y1="${y(0)}" x2="${left}" y2="${top}" stroke="#000"/>` +
    ticks.map((t) => `<text x="${x(t)}" y="${h - bottom + 16}" font-size="11" text-anchor="middle">${t.toFixed(0)}</text>`).join("") +
    [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${left - 6}" y="${y(f) + 4}" font-size="11" text-anchor="end">${(100 * f).toFixed(0)}</text>`).join("") +
    `<text x="${(left + w) / 2}" y="${h - 4}" font-size="12" text-anchor="middle">dose (Gy)</text><text x="14" y="${(top + h - bottom) / 2}" font-size="12" transform="rotate(-90 14 ${(top + h - bottom) / 2})" text-anchor="middle">volume (%)</text>`;
  const legend = curves.map((c, i) => `<span style="color:${COLOURS[i % COLOURS.length]}">■ ${escapeHtml(c.name)}</span>`).join(" &nbsp; ");
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "");
  const rows = s.vois.map((v) => `<tr><td>${escapeHtml(v.name)}</td><td>${fmt(v.volumeMl)}</td><td>${fmt(v.a.meanGy)}</td><td>${fmt(v.b.meanGy)}</td><td>${fmt(v.delta.meanGy)}</td><td>${fmt(v.a.d70Gy)}</td><td>${fmt(v.b.d70Gy)}</td><td>${fmt(v.delta.d70Gy)}</td><td>${fmt(100 * v.a.vFraction)}</td><td>${fmt(100 * v.b.vFraction)}</td><td>${fmt(100 * v.delta.vFraction)}</td></tr>`).join("\n");
  const gm = s.gamma;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sirtsim compare</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child{text-align:left}</style></head>
<body><h1>Dose comparison</h1>
<p>A (reference, solid): ${escapeHtml(s.a)}<br>B (evaluated, dashed): ${escapeHtml(s.b)}${s.resampledB ? " (resampled onto A's grid, trilinear)" : ""}</p>
<h2>Gamma ${gm.dosePercent} %/${gm.distanceMm} mm ${gm.normalisation}</h2>
<p>Pass rate <b>${(100 * gm.passRate).toFixed(2)} %</b> of ${gm.evaluatedVoxels} voxels (A ≥ ${gm.thresholdPercent} % of ${gm.referenceMaxGy.toFixed(2)} Gy); mean γ ${gm.meanGamma.toFixed(3)}. ${escapeHtml(gm.conventions)}.</p>
<h2>DVH</h2><p>${legend}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axes}${lines.join("")}</svg>
<h2>Per VOI (Δ = B − A)</h2>
<table><tr><th>VOI</th><th>volume mL</th><th>Dmean A</th><th>Dmean B</th><th>ΔDmean</th><th>D70 A</th><th>D70 B</th><th>ΔD70</th><th>V${s.vGy} A %</th><th>V${s.vGy} B %</th><th>ΔV${s.vGy} %</th></tr>
${rows}
</table></body></html>
`;
}

function formatCompare(s: CompareSummary, out: string): string {
  const lines = [
    `compare ${s.a} (A) with ${s.b} (B)${s.resampledB ? " (B resampled onto A)" : ""}`,
    `gamma ${s.gamma.dosePercent}%/${s.gamma.distanceMm} mm ${s.gamma.normalisation}, threshold ${s.gamma.thresholdPercent}%: pass rate ${(100 * s.gamma.passRate).toFixed(2)} % of ${s.gamma.evaluatedVoxels} voxels, mean γ ${s.gamma.meanGamma.toFixed(3)}`,
    "",
    `VOI              volume mL  Dmean A  Dmean B   ΔDmean   ΔD70 Gy  ΔV${s.vGy} %`,
  ];
  for (const v of s.vois) {
    lines.push([v.name.slice(0, 15).padEnd(15), v.volumeMl.toFixed(1).padStart(10), v.a.meanGy.toFixed(1).padStart(8), v.b.meanGy.toFixed(1).padStart(8), v.delta.meanGy.toFixed(1).padStart(8), v.delta.d70Gy.toFixed(1).padStart(9), (100 * v.delta.vFraction).toFixed(1).padStart(8)].join(" "));
  }
  lines.push("", `wrote ${s.outputs.map((o) => join(out, o)).join(", ")}`);
  return lines.join("\n");
}

/**
 * study.html: one self-contained page (the report's Plotly cartesian bundle inlined, data as JSON)
 * with what a researcher draws from a sweep: each metric against each varied field — the cell
 * mean, its 95 % confidence interval (error bars) and the 95 % prediction interval for one run
 * (shaded band) — the per-cell table, and DVH bands (median and 2.5–97.5th percentiles of D(v)
 * over each cell's runs). No timestamps: the page is the same bytes for the same runs.
 */
import { createRequire } from "node:module";
import { escapeHtml } from "../report/index.js";
import type { StudyPlan } from "./plan.js";
import { INTERVAL_DEFINITIONS, type StudyTables } from "./collect.js";

let plotlySource: string | undefined;

/** The same minified Plotly cartesian bundle the report inlines (read once). */
function plotlyBundle(): string {
  if (plotlySource === undefined) {
    const require = createRequire(import.meta.url);
    plotlySource = (require("node:fs") as typeof import("node:fs")).readFileSync(require.resolve("plotly.js-cartesian-dist-min"), "utf8");
  }
  return plotlySource;
}

/** Metrics drawn against the varied fields (per VOI where the name has no group). */
const PLOTTED = ["meanDoseGy", "D70Gy", "D90Gy", "V100", "radiobiology.meanBedGy", "radiobiology.eudGy", "radiobiology.tcp", "radiobiology.ntcp", "lung.meanDoseGy", "reflux.share", "tumourToNormalRatio.realised"];

/** DVH bands drawn for at most this many cells (all are in cells.json). */
const MAX_DVH_CELLS = 12;

/** "0, 1, 2, …" (at most 8 run numbers). */
export function runList(runs: readonly number[]): string {
  return `run${runs.length > 1 ? "s" : ""} ${runs.slice(0, 8).join(", ")}${runs.length > 8 ? ", …" : ""}`;
}

export function studyHtml(plan: StudyPlan, tables: StudyTables): string {
  const data = {
    parameters: plan.parameters.map((p) => p.path),
    plotted: PLOTTED,
    columns: tables.metricColumns,
    cells: tables.cells.map((c) => ({ cell: c.cell, parameters: c.parameters, finished: c.finished, runs: c.runs, metrics: c.metrics })),
    dvh: tables.cells.slice(0, MAX_DVH_CELLS).map((c) => ({ cell: c.cell, parameters: c.parameters, bands: c.dvhBands })),
  };
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const failed = tables.failed.length > 0 ? `<p class="warn">${tables.failed.length} run(s) failed: ${tables.failed.map((f) => `run ${f.run} (${escapeHtml(f.error)})`).join("; ")}</p>` : "";
  const missing = tables.missing > 0 ? `<p class="warn">${tables.missing} run(s) not run yet.</p>` : "";
  const warnings =
    tables.warnings.length > 0
      ? `<h2>Warnings and notes of the runs</h2><ul>${tables.warnings.map((w) => `<li class="${w.text.startsWith("warning") ? "warn" : ""}">${w.runs.length} of ${tables.finished} run(s) (${escapeHtml(runList(w.runs))}): ${escapeHtml(w.text)}</li>`).join("")}</ul>`
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`sirtsim study — ${plan.name}`)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1200px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f4f4f4}.warn{color:#a00}.plot{width:100%;height:380px}dt{font-weight:600}</style>
<script>${plotlyBundle().replace(/<\/script/gi, "<\\/script")}</script>
</head><body>
<h1>${escapeHtml(`sirtsim study — ${plan.name}`)}</h1>
<p>${escapeHtml(plan.description)}</p>
<p>${plan.cells.length} cell(s) × ${plan.replicas.trees} tree(s) × ${plan.replicas.seeds} seed(s) = ${plan.runs.length} runs; ${tables.finished} finished.</p>
${failed}${missing}${warnings}
<h2>Intervals</h2>
<dl>${Object.entries(INTERVAL_DEFINITIONS)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("")}</dl>
<p>Plots: line = cell mean; error bars = meanCi95; shaded band = predictionInterval95.</p>
<div id="sweeps"></div>
<h2>DVH bands</h2><div id="dvh"></div>
<h2>Cells</h2><div id="table"></div>
<script>
const D = ${json};
${CLIENT}
</script>
</body></html>
`;
}

/** The page's script: plain DOM + Plotly, reading D. */
const CLIENT = String.raw`
const fmt = (x) => (x === null || x === undefined ? "–" : Math.abs(x) >= 1000 || Math.abs(x) < 0.01 && x !== 0 ? x.toPrecision(4) : String(Number(x.toPrecision(4))));
const voiOf = (col) => { const i = col.indexOf("."); return i > 0 ? [col.slice(0, i), col.slice(i + 1)] : [null, col]; };
const palette = ["#1f77b4","#d62728","#2ca02c","#ff7f0e","#9467bd","#8c564b","#e377c2","#7f7f7f","#bcbd22","#17becf"];
function rgba(hex, a) { const n = parseInt(hex.slice(1), 16); return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")"; }
function div(parent, cls) { const d = document.createElement("div"); if (cls) d.className = cls; parent.appendChild(d); return d; }
function columnsFor(metric) {
  if (D.columns.includes(metric)) return [metric];
  return D.columns.filter((c) => voiOf(c)[1] === metric && !c.startsWith("lung.") && !c.startsWith("reflux."));
}
const sweeps = document.getElementById("sweeps");
for (const p of D.parameters) {
  const others = D.parameters.filter((q) => q !== p);
  const groups = new Map();
  for (const c of D.cells) {
    const key = others.map((q) => q + " = " + JSON.stringify(c.parameters[q])).join(", ");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  for (const metric of D.plotted) {
    const cols = columnsFor(metric);
    if (cols.length === 0) continue;
    const traces = [];
    let k = 0;
    for (const col of cols) for (const [key, cells] of groups) {
      const colour = palette[k++ % palette.length];
      const xs = cells.map((c) => c.parameters[p]);
      const s = cells.map((c) => c.metrics[col]);
      const name = (cols.length > 1 ? voiOf(col)[0] : col) + (key ? " (" + key + ")" : "");
      const lo = s.map((m) => (m.predictionInterval95 ? m.predictionInterval95[0] : m.mean));
      const hi = s.map((m) => (m.predictionInterval95 ? m.predictionInterval95[1] : m.mean));
      if (typeof xs[0] === "number") {
        traces.push({ x: xs.concat(xs.slice().reverse()), y: hi.concat(lo.slice().reverse()), fill: "toself", fillcolor: rgba(colour, 0.15), line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: name, type: "scatter" });
      }
      traces.push({ x: xs, y: s.map((m) => m.mean), name, legendgroup: name, mode: "lines+markers", line: { color: colour }, marker: { color: colour }, type: "scatter",
        error_y: { type: "data", symmetric: false, array: s.map((m) => (m.meanCi95 ? m.meanCi95[1] - m.mean : 0)), arrayminus: s.map((m) => (m.meanCi95 ? m.mean - m.meanCi95[0] : 0)), color: colour } });
    }
    const box = div(sweeps, "plot");
    Plotly.newPlot(box, traces, { title: { text: metric + " vs " + p }, xaxis: { title: { text: p } }, yaxis: { title: { text: metric } }, margin: { t: 40 } }, { responsive: true });
  }
}
if (D.parameters.length === 0) div(sweeps).textContent = "No varied field: the table below gives the predictive spread of one case over trees and seeds.";
const dvh = document.getElementById("dvh");
const volume = Array.from({ length: 101 }, (_, i) => i / 100);
for (const cell of D.dvh) {
  const traces = [];
  let k = 0;
  for (const [voi, band] of Object.entries(cell.bands)) {
    const colour = palette[k++ % palette.length];
    traces.push({ x: band.p97_5Gy.concat(band.p2_5Gy.slice().reverse()), y: volume.concat(volume.slice().reverse()), fill: "toself", fillcolor: rgba(colour, 0.2), line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: voi, type: "scatter" });
    traces.push({ x: band.medianGy, y: volume, name: voi, legendgroup: voi, mode: "lines", line: { color: colour }, type: "scatter" });
  }
  const label = Object.entries(cell.parameters).map(([q, v]) => q + " = " + JSON.stringify(v)).join(", ") || "all runs";
  Plotly.newPlot(div(dvh, "plot"), traces, { title: { text: "cell " + cell.cell + ": " + label }, xaxis: { title: { text: "dose (Gy)" } }, yaxis: { title: { text: "volume fraction ≥ dose" }, range: [0, 1.02] }, margin: { t: 40 } }, { responsive: true });
}
const table = document.createElement("table");
const head = ["cell"].concat(D.parameters, ["metric", "n", "mean", "sd", "meanCi95", "predictionInterval95", "runPercentiles95", "intervals over"]);
table.innerHTML = "<tr>" + head.map((h) => "<th>" + h + "</th>").join("") + "</tr>";
for (const c of D.cells) for (const col of D.columns) {
  const m = c.metrics[col];
  const iv = (a) => (a ? fmt(a[0]) + " – " + fmt(a[1]) : "–");
  const tr = document.createElement("tr");
  for (const v of [c.cell].concat(D.parameters.map((q) => JSON.stringify(c.parameters[q])), [col, m.n, fmt(m.mean), fmt(m.sd), iv(m.meanCi95), iv(m.predictionInterval95), iv(m.runPercentiles95), m.intervalsOver || ""])) {
    const td = document.createElement("td"); td.textContent = String(v); tr.appendChild(td);
  }
  table.appendChild(tr);
}
document.getElementById("table").appendChild(table);
`;

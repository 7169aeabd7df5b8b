/**
 * A self-contained HTML report: one file, Plotly's cartesian bundle inlined (1.4 MB), the data
 * embedded as gzip'd, quantised volumes, and no request to any server, so it opens offline
 * (docs/report.md). `renderReport(input)` is a pure function of its input.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { InputError } from "../errors.js";
import type { Grid, GridData, GridGeometry } from "../geometry/grid.js";
import { checkDvhCurve } from "../io/csv.js";
import { toRasGeometry } from "../io/frame.js";
import { resampleGrid } from "../io/resample.js";
import { CLIENT_SCRIPT } from "./client.js";
import { encodeLabels, encodeTree, encodeVolume, viewSpecs } from "./encode.js";
import { formatNumber } from "./format.js";
import { fractionIsodoses } from "./isodose.js";
import type { IsodoseLevel, MetricsTable, RenderReportOptions, ReportAnatomy, ReportInput } from "./types.js";

let plotlySource: string | undefined;

/** The minified Plotly cartesian bundle (read once). */
function plotlyBundle(): string {
  if (plotlySource === undefined) {
    const require = createRequire(import.meta.url);
    plotlySource = readFileSync(require.resolve("plotly.js-cartesian-dist-min"), "utf8");
  }
  return plotlySource;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON safe inside a <script> element: no "</script", no "<!--". */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function formatCell(x: string | number | null): string {
  if (typeof x === "string") return escapeHtml(x);
  return formatNumber(x);
}

function sameGeometry(a: GridGeometry, b: GridGeometry): boolean {
  const close = (p: readonly number[], q: readonly number[]) => p.every((v, i) => Math.abs(v - q[i]) < 1e-6 * (1 + Math.abs(v)));
  const ra = toRasGeometry(a);
  const rb = toRasGeometry(b);
  return close(a.dims, b.dims) && close(a.spacingMm, b.spacingMm) && close(ra.originMm, rb.originMm) && close(ra.direction, rb.direction);
}

/** Isodose levels as drawn: positive, finite, with a label and whether the dose reaches them. */
function isodoseLevels(levels: ReadonlyArray<number | IsodoseLevel>, maxGy: number) {
  return levels
    .map((l) => (typeof l === "number" ? { doseGy: l } : l))
    .filter((l) => Number.isFinite(l.doseGy) && l.doseGy > 0)
    .map((l) => ({ doseGy: l.doseGy, label: l.label ?? "", reached: l.doseGy <= maxGy }));
}

function checkGrid(grid: Grid<GridData>, field: string): void {
  const n = grid.dims[0] * grid.dims[1] * grid.dims[2];
  if (!(n > 0) || grid.data.length !== n) throw new InputError(field, `${field}: dims ${grid.dims.join("×")} need ${n} voxels but the data has ${grid.data.length}`);
}

/** Render the report as one HTML document (a string, UTF-8). */
export function renderReport(input: ReportInput, options: RenderReportOptions = {}): string {
  const dose = input.doseGy;
  checkGrid(dose, "doseGy");
  let maxGy = 0;
  let maxVoxel = 0;
  for (let v = 0; v < dose.data.length; v++) {
    const d = dose.data[v];
    if (!Number.isFinite(d) || d < 0) throw new InputError("doseGy", `doseGy: voxel ${v} is ${d} Gy (must be finite and ≥ 0)`);
    if (d > maxGy) {
      maxGy = d;
      maxVoxel = v;
    }
  }
  const [nx, ny] = dose.dims;
  const maxIjk = [maxVoxel % nx, Math.floor(maxVoxel / nx) % ny, Math.floor(maxVoxel / (nx * ny))];
  for (const c of input.dvh) checkDvhCurve(c);

  // Size budget (base64 characters) for the embedded volumes: 5 MB minus Plotly and the page.
  const budget = options.dataBudgetBytes ?? 5_000_000 - plotlyBundle().length - 250_000;
  const anatomy = input.anatomy ? encodeAnatomy(input.anatomy, dose, budget / 3) : undefined;
  // Dose: 16-bit when it fits what is left of the budget, else 8-bit.
  const left = budget - (anatomy?.b64.length ?? 0);
  let doseVolume = encodeVolume(dose.data, 0, maxGy, 16);
  if (doseVolume.b64.length > left) doseVolume = encodeVolume(dose.data, 0, maxGy, 8);
  if (doseVolume.b64.length > left) doseVolume = encodeVolume(dose.data, 0, maxGy, 8, 63); // last resort: 64 colours
  const ras = toRasGeometry(dose);
  const isodoses = isodoseLevels(input.isodoseGy ?? fractionIsodoses(maxGy), maxGy);
  const tree = input.tree && input.tree.radiusMm.length > 0 ? encodeTree(input.tree, options.treeMaxSegments ?? 20_000) : undefined;

  const data = {
    geometry: { dims: dose.dims, spacingMm: dose.spacingMm, originRasMm: ras.originMm, directionRas: ras.direction },
    views: viewSpecs(dose),
    dose: { volume: doseVolume, maxGy, maxVoxel: maxIjk, displayThresholdGy: 0.02 * maxGy, stepGy: doseVolume.scale },
    anatomy,
    isodoses,
    dvh: input.dvh.map((c) => ({ name: c.name, doseGy: Array.from(c.doseGy), volumeFraction: Array.from(c.volumeFraction) })),
    clusters: input.clusterHistogram
      ? { spheresPerCluster: [...input.clusterHistogram.spheresPerCluster], counts: Array.from(input.clusterHistogram.counts) }
      : null,
    tree: tree ?? null,
    outlineColours: OUTLINE_COLOURS,
  };

  const summaryRows = input.summary.map((s) => `<tr><th>${escapeHtml(s.label)}</th><td>${formatCell(s.value)}</td></tr>`).join("");
  const advisories = input.advisories.length
    ? `<ul class="advisories">${input.advisories
        .map((a) => `<li class="level-${escapeHtml(a.level)}"><b>${escapeHtml(a.level)}</b>${a.code ? ` <code>${escapeHtml(a.code)}</code>` : ""} ${escapeHtml(a.message)}</li>`)
        .join("")}</ul>`
    : `<p class="muted">No advisories.</p>`;
  const tableHtml = (t: MetricsTable, id: string) =>
    `<table class="metrics" id="${id}"><thead><tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((x, i) => (i === 0 ? `<th>${formatCell(x)}</th>` : `<td>${formatCell(x)}</td>`)).join("")}</tr>`).join("")}</tbody></table>`;
  const metricsTables = tableHtml(input.metrics, "metrics-table") + (input.dvhMetrics ? `<h3>Requested D<sub>x</sub> and V<sub>y</sub></h3>${tableHtml(input.dvhMetrics, "dvh-metrics-table")}` : "");
  const views = data.views
    .map(
      (v) => `<figure class="view"><div id="view-${v.name}" class="plot"></div>
<label class="slider"><input type="range" id="slider-${v.name}" min="0" max="0" step="1" aria-label="${v.name} slice"><span id="caption-${v.name}"></span></label></figure>`,
    )
    .join("\n");
  const quantNote =
    `Dose map stored with ${doseVolume.type === "u16" ? "16-bit" : doseVolume.scale * 255 > maxGy * 1.01 ? "64-level" : "8-bit"} quantisation (step ${formatCell(doseVolume.scale)} Gy); ` +
    `doses below 2 % of the maximum (${formatCell(maxGy)} Gy) are not coloured. Slices open through the hottest voxel. ` +
    `Isodose lines: ${isodoses.length ? isodoses.map((l) => `${formatCell(l.doseGy)} Gy${l.label ? ` (${l.label})` : ""}${l.reached ? "" : " — not reached"}`).join(", ") : "none"}. The white bar is a length scale in mm.`;
  const treeSection = tree
    ? `<section id="tree"><h2>Arterial tree</h2>
<p class="muted">${tree.count < tree.total ? `The ${tree.count.toLocaleString("en")} widest of ${tree.total.toLocaleString("en")} segments` : `${tree.count.toLocaleString("en")} segments`}, coloured by ${escapeHtml(tree.label)} (log scale; grey = none). Anterior view: drag to rotate, wheel to zoom.</p>
<canvas id="tree-canvas" width="900" height="600"></canvas>
<div class="colourbar"><span id="tree-colour-min">${formatCell(tree.minPositiveLodged)}</span><div class="ramp"></div><span id="tree-colour-max">${formatCell(tree.maxLodged)}</span> <span class="muted">${escapeHtml(tree.label)} (log scale; grey = none)</span> <button id="tree-reset" type="button">reset view</button></div>
${tree.outlines.length ? `<div id="tree-outline-legend" class="muted">${tree.outlines.map((o, n) => `<span class="outline-key" style="color:${o.kind === "liver" ? "#9aa3b0" : OUTLINE_COLOURS[n % OUTLINE_COLOURS.length]}">● ${escapeHtml(o.name)}</span>`).join(" ")} — surface points</div>` : ""}
</section>`
    : "";
  const clusterSection = data.clusters
    ? `<section id="clusters"><h2>Sphere clusters</h2>${input.clusterHistogram?.definition ? `<p id="cluster-definition">${escapeHtml(input.clusterHistogram.definition)}</p>` : ""}${input.clusterHistogram?.caption ? `<p class="muted">${escapeHtml(input.clusterHistogram.caption)}</p>` : ""}<div id="cluster-plot" class="plot"></div></section>`
    : "";
  const notes = (input.notes ?? []).map((n) => `<p>${escapeHtml(n)}</p>`).join("");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sirtsim">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
<script>${plotlyBundle().replace(/<\/script/gi, "<\\/script")}</script>
</head>
<body>
<header><h1>${escapeHtml(input.title)}</h1>${input.subtitle ? `<p class="subtitle">${escapeHtml(input.subtitle)}</p>` : ""}</header>
<div id="report-error" class="error" hidden></div>
<main>
<section id="summary"><h2>Case</h2><table class="summary">${summaryRows}</table></section>
<section id="advice"><h2>Advisories</h2>${advisories}</section>
<section id="metrics"><h2>Dose metrics</h2>${metricsTables}</section>
<section id="dose-maps"><h2>Absorbed dose</h2><p class="muted">${escapeHtml(quantNote)}</p><div class="views">${views}</div><div id="view-legend" class="legend"></div></section>
<section id="dvh"><h2>Dose–volume histograms</h2><p class="muted">Cumulative: the percentage of each volume receiving at least the dose on the x axis.</p><div id="dvh-plot" class="plot"></div></section>
${clusterSection}
${treeSection}
${notes ? `<section id="notes"><h2>Notes</h2>${notes}</section>` : ""}
${input.provenance ? `<section id="provenance"><h2>Provenance</h2><pre>${escapeHtml(JSON.stringify(input.provenance, null, 2))}</pre></section>` : ""}
</main>
<footer>Made by sirtsim. Research software: not for clinical decisions without independent verification.</footer>
<script type="application/json" id="sirtsim-data">${scriptJson(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** CT windowed to 8 bits, or labels re-coded; resampled onto the dose grid when needed. */
function encodeAnatomy(anatomy: ReportAnatomy, dose: GridGeometry, budget: number) {
  checkGrid(anatomy.grid, "anatomy");
  if (anatomy.kind === "ct") {
    const grid = sameGeometry(anatomy.grid, dose) ? anatomy.grid : resampleGrid(anatomy.grid, dose, { method: "trilinear", name: "anatomy" });
    const windowHu = anatomy.windowHu ?? [-160, 240]; // abdominal soft-tissue window (W 400, L 40)
    let enc = encodeVolume(grid.data, windowHu[0], windowHu[1], 8);
    // A noisy CT compresses poorly: 64 grey levels are plenty under a dose colourwash.
    if (enc.b64.length > budget) enc = encodeVolume(grid.data, windowHu[0], windowHu[1], 8, 63);
    return { kind: "ct" as const, b64: enc.b64, scale: enc.scale, offset: enc.offset, windowHu };
  }
  const grid = sameGeometry(anatomy.grid, dose) ? anatomy.grid : resampleGrid(anatomy.grid, dose, { method: "nearest", name: "anatomy" });
  const enc = encodeLabels(grid.data);
  const names: Record<string, string> = {};
  for (const l of enc.labels) names[String(l)] = anatomy.names?.[l] ?? `label ${l}`;
  return { kind: "labels" as const, b64: enc.b64, labels: enc.labels, names };
}

/** Colours of the tumour outlines on the tree picture (the client script uses the same list). */
const OUTLINE_COLOURS = ["#ff7f0e", "#d62728", "#e377c2", "#bcbd22", "#17becf", "#8c564b", "#9467bd", "#2ca02c"];

const CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; }
body { margin: 0; background: #f4f5f7; }
header { background: #1d2f4f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0; font-size: 1.5rem; }
.subtitle { margin: 4px 0 0; opacity: 0.85; }
main { padding: 8px 28px 28px; }
section { background: #fff; border-radius: 6px; padding: 12px 18px; margin: 14px 0; box-shadow: 0 1px 2px rgba(0,0,0,0.08); }
h2 { font-size: 1.1rem; margin: 4px 0 10px; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e5ea; text-align: left; }
table.metrics td { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #667; font-size: 0.85rem; }
.advisories { margin: 0; padding-left: 18px; }
.advisories li { margin: 4px 0; }
.level-contraindication b { color: #b00020; }
.level-warning b { color: #b36b00; }
.level-info b { color: #2d6cb3; }
.views { display: flex; flex-wrap: wrap; gap: 10px; }
.view { margin: 0; flex: 1 1 380px; min-width: 320px; }
.slider { display: flex; gap: 10px; align-items: center; font-size: 0.85rem; }
.slider input { flex: 1; }
#tree-canvas { width: 100%; height: 600px; border: 1px solid #e3e5ea; cursor: grab; touch-action: none; }
.colourbar { display: flex; gap: 8px; align-items: center; font-size: 0.85rem; margin-top: 6px; }
.colourbar .ramp { width: 240px; height: 12px; background: linear-gradient(to right, #440154, #3b528b, #21918c, #5ec962, #fde725); }
.legend { background: #111; color: #eee; padding: 6px 10px; border-radius: 4px; font-size: 0.85rem; display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; margin-top: 6px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend i { display: inline-block; width: 22px; height: 0; }
.error { background: #fde8e8; color: #8a1111; padding: 10px 28px; }
footer { color: #667; font-size: 0.8rem; padding: 0 28px 20px; }
pre { font-size: 0.8rem; overflow-x: auto; }
`;

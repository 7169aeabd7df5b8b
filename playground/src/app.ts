/**
 * The playground page: two settings (A and B) of one case side by side, each run by the engine
 * in its own Web Worker (a Blob-URL worker made from the inlined engine script, so it also works
 * from file://; in the page itself when workers are unavailable), with the dose maps, their
 * difference, the DVHs, the per-VOI metrics and the advisories. Plotly is inlined by the build:
 * the page makes no network request.
 */
import { PRESETS, type Preset } from "./presets.js";
import { caseFromSettings, PLAYGROUND_TERMINALS, settingsFromCase, type PlaygroundSettings } from "./settings.js";
import type { PlaygroundResult } from "./engine.js";
import type { EngineProgress } from "./worker.js";

declare const Plotly: any;

type Side = "a" | "b";
type Json = Record<string, any>;
interface HeterogeneityModel { readonly id: string; readonly label: string; readonly transport: Record<string, unknown> }
interface Engine { run(side: Side, caseJson: Json, onProgress?: (p: EngineProgress) => void): Promise<PlaygroundResult> }

const SIDES: readonly Side[] = ["a", "b"];
/**
 * URL options: `?preset=glass` opens a preset; `?terminals=5000` a smaller (faster, coarser)
 * tree for slow machines and tests (1000–100000, default 20000); `?engine=page` runs without workers;
 * `?helpers=N` places the spheres on N helper workers besides the engine's (default: one fewer
 * than the cores, navigator.hardwareConcurrency; 0: the engine worker alone).
 */
const PARAMS = new URLSearchParams(location.search);
const HELPERS = PARAMS.has("helpers")
  ? Math.min(16, Math.max(0, Math.round(Number(PARAMS.get("helpers")) || 0)))
  : Math.max(1, Math.min(16, (navigator.hardwareConcurrency || 2) - 1));
const TERMINALS = Math.min(100_000, Math.max(1000, Math.round(Number(PARAMS.get("terminals")) || PLAYGROUND_TERMINALS)));
const CASES: Record<string, Json> = JSON.parse(byId("playground-cases").textContent ?? "{}");
const MODELS: HeterogeneityModel[] = JSON.parse(byId("playground-models").textContent ?? "[]");
const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
const DOSE_SCALE = [[0, "#1a0a6b"], [0.15, "#2040d0"], [0.35, "#10b0e0"], [0.5, "#30d070"], [0.65, "#f0e020"], [0.82, "#f07010"], [1, "#c00010"]];
const DIFF_SCALE = [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]];
const ISO_COLOURS = ["#00e5ff", "#00ff6a", "#ffee00", "#ff9d00", "#ff2d2d", "#ff00d4"];
/** Capacity relative to the engine's geometric model (settings.ts embolicCapacity). */
const EMBOLIC_LEVELS: ReadonlyArray<[number, string]> = [
  [0, "off (no embolic feedback)"],
  [4, "light (4× the vessels' capacity)"],
  [1, "typical (the engine's model, calibrated on resin stasis)"],
  [0.5, "reduced (½ of the capacity)"],
  [0.25, "heavy (¼ of the capacity: stasis at a 40 Gy plan)"],
];
const ENTRY_POINTS = ["proper-hepatic", "right-hepatic", "left-hepatic", "S2", "S3", "S4", "S5", "S6", "S7", "S8"];
const PRODUCTS: ReadonlyArray<[string, string]> = [["sir-spheres", "SIR-Spheres (Y-90 resin)"], ["therasphere", "TheraSphere (Y-90 glass)"], ["quiremspheres", "QuiremSpheres (Ho-166)"]];

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
}

/** 3 significant digits, integers ≥ 1000 in full (the report's rule, src/report/format.ts). */
function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (Number.isInteger(x) && a >= 1000) return x.toLocaleString("en");
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

// ---------- the engine: a worker per side, or in the page ----------

function engineSource(): string {
  return byId("engine-src").textContent ?? "";
}

function workerEngine(): Engine {
  const url = URL.createObjectURL(new Blob([engineSource()], { type: "text/javascript" }));
  const workers: Record<string, Worker> = {};
  const pending = new Map<number, { resolve: (r: PlaygroundResult) => void; reject: (e: Error) => void; onProgress?: (p: EngineProgress) => void }>();
  let nextId = 1;
  const fail = (message: string) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  for (const side of SIDES) {
    const w = new Worker(url);
    w.onmessage = (ev) => {
      const p = pending.get(ev.data.id);
      if (!p) return;
      if ("progress" in ev.data) {
        p.onProgress?.(ev.data);
        return;
      }
      pending.delete(ev.data.id);
      if (ev.data.ok) p.resolve(ev.data.result);
      else p.reject(new Error(ev.data.error));
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      fail(`engine worker failed: ${ev.message}`);
    };
    workers[side] = w;
  }
  // Helper workers for the sphere placement, shared by A and B: one port pair per engine and helper.
  for (let h = 0; h < HELPERS; h++) {
    const helper = new Worker(url);
    helper.onerror = (ev) => {
      ev.preventDefault();
      fail(`placement helper worker failed: ${ev.message}`);
    };
    const ports: MessagePort[] = [];
    for (const side of SIDES) {
      const channel = new MessageChannel();
      ports.push(channel.port2);
      workers[side].postMessage({ type: "helpers", ports: [channel.port1], append: true }, [channel.port1]);
    }
    helper.postMessage({ type: "serve", ports }, ports);
  }
  return {
    run(side, caseJson, onProgress) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
        workers[side].postMessage({ id, side, caseJson });
      });
    },
  };
}

function inPageEngine(): Engine {
  const g = globalThis as unknown as { sirtsimEngine?: { handle: (r: unknown) => Promise<{ reply: Json }> } };
  if (!g.sirtsimEngine) {
    const script = document.createElement("script");
    script.textContent = engineSource();
    document.head.appendChild(script);
  }
  let nextId = 1;
  return {
    async run(side, caseJson) {
      const { reply } = await g.sirtsimEngine!.handle({ id: nextId++, side, caseJson });
      if (!reply.ok) throw new Error(reply.error);
      return reply.result as PlaygroundResult;
    },
  };
}

function createEngine(): { engine: Engine; mode: string } {
  const forced = PARAMS.get("engine");
  if (forced !== "page" && typeof Worker !== "undefined") {
    try {
      return { engine: workerEngine(), mode: `in web workers (${HELPERS} placement helper${HELPERS === 1 ? "" : "s"})` };
    } catch (err) {
      console.warn("Web Workers unavailable, running in the page:", err);
    }
  }
  return { engine: inPageEngine(), mode: "in the page (no workers)" };
}

// ---------- state ----------

interface SideState {
  settings: PlaygroundSettings;
  result: PlaygroundResult | null;
  caseJson: Json | null;
  running: boolean;
  again: boolean;
  runs: number;
  error: string | null;
}

const state = {
  preset: PRESETS[0] as Preset,
  sides: {} as Record<Side, SideState>,
  view: "axial" as "axial" | "coronal" | "sagittal",
  slice: -1,
};
const { engine, mode: engineMode } = createEngine();

function modelTransport(id: string): Record<string, unknown> {
  return (MODELS.find((m) => m.id === id) ?? MODELS[0]).transport;
}

function applyPreset(preset: Preset): void {
  state.preset = preset;
  const base = CASES[preset.base];
  const start = settingsFromCase(base, MODELS[0]?.id ?? "");
  const common: PlaygroundSettings = start;
  state.sides = {
    a: { settings: { ...common, ...preset.a }, result: null, caseJson: null, running: false, again: false, runs: state.sides.a?.runs ?? 0, error: null },
    b: { settings: { ...common, ...preset.b }, result: null, caseJson: null, running: false, again: false, runs: state.sides.b?.runs ?? 0, error: null },
  };
  state.slice = -1;
  byId("preset-explanation").textContent = preset.explanation;
  document.querySelectorAll<HTMLButtonElement>("#presets button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.preset === preset.id)));
  for (const side of SIDES) {
    buildControls(side);
    schedule(side, 0);
  }
}

// ---------- controls ----------

function option(value: string, text: string, selected: boolean): string {
  return `<option value="${value}"${selected ? " selected" : ""}>${text}</option>`;
}

/**
 * " (core; rim T/N 5)" for a tumour with a rim of its own T/N: the slider sets the core's, and the
 * plan's T/N of the tumour is the perfusion-weighted mix (S7-large: slider 2, plan 3.845; a review).
 */
function rimNote(name: string): string {
  const tumour = (CASES[state.preset.base].geometry?.tumours ?? []).find((t: { name?: string }) => t.name === name) as { rim?: { tnRatio?: number } } | undefined;
  return tumour?.rim?.tnRatio !== undefined ? ` (core; rim T/N ${fmt(tumour.rim.tnRatio)})` : "";
}

function buildControls(side: Side): void {
  const s = state.sides[side].settings;
  const box = byId(`controls-${side}`);
  const tumours = Object.keys(s.tnRatio);
  box.innerHTML = `
<label>Product <select data-key="product">${PRODUCTS.map(([id, name]) => option(id, name, id === s.product)).join("")}</select></label>
<label>Prescription <select data-key="doseMode">${option("target", "plan to a dose", s.doseMode === "target")}${option("activity", "give an activity", s.doseMode === "activity")}</select></label>
<label class="dose-target"${s.doseMode === "target" ? "" : " hidden"}>Target dose (Gy, ${CASES[state.preset.base].target?.compartment ?? "normal"}) <input type="number" data-key="targetDoseGy" min="1" max="2000" step="5" value="${s.targetDoseGy}"></label>
<label class="dose-activity"${s.doseMode === "activity" ? "" : " hidden"}>Activity (GBq) <input type="number" data-key="activityGBq" min="0.05" max="20" step="0.05" value="${s.activityGBq}"></label>
<label>Lung shunt fraction <input type="range" data-key="lungShuntFraction" min="0" max="0.3" step="0.01" value="${s.lungShuntFraction}"><output>${fmt(100 * s.lungShuntFraction)} %</output></label>
<label>Injection site <select data-key="entryPoint">${ENTRY_POINTS.map((e) => option(e, e, e === s.entryPoint)).join("")}</select></label>
<label>Heterogeneity model <select data-key="heterogeneity">${MODELS.map((m) => option(m.id, m.label, m.id === s.heterogeneity)).join("")}</select></label>
<label>Embolic load <select data-key="embolicCapacity">${EMBOLIC_LEVELS.map(([v, t]) => option(String(v), t, v === s.embolicCapacity)).join("")}</select></label>
<fieldset class="tn"><legend>T/N per tumour</legend>${tumours
    .map((t) => `<label>${t}${rimNote(t)} <input type="range" data-tumour="${t}" min="0.5" max="10" step="0.5" value="${s.tnRatio[t]}"><output>${fmt(s.tnRatio[t])}</output></label>`)
    .join("")}</fieldset>`;
  box.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-key], [data-tumour]").forEach((el) => {
    el.addEventListener("input", () => onControl(side, el));
  });
}

/**
 * ", not the 3.000 GBq asked for: limited by normalLiver" when a limit capped the plan's activity
 * (the input keeps what was typed; the table says what was injected).
 */
function limitedText(plan: { readonly plannedActivityGBq?: number; readonly limitedBy?: string | null }): string {
  if (plan.limitedBy === null || plan.limitedBy === undefined || plan.plannedActivityGBq === undefined) return "";
  return ` — <b>not the ${plan.plannedActivityGBq.toFixed(3)} GBq planned: limited by ${plan.limitedBy}</b>`;
}

function onControl(side: Side, el: HTMLInputElement | HTMLSelectElement): void {
  const st = state.sides[side];
  const value = el.value;
  if (el.dataset.tumour) {
    st.settings = { ...st.settings, tnRatio: { ...st.settings.tnRatio, [el.dataset.tumour]: Number(value) } };
  } else {
    const key = el.dataset.key as keyof PlaygroundSettings;
    const numeric = ["targetDoseGy", "activityGBq", "lungShuntFraction", "embolicCapacity"].includes(key);
    st.settings = { ...st.settings, [key]: numeric ? Number(value) : value } as PlaygroundSettings;
    if (key === "doseMode") {
      // "Give an activity" starts at the activity the plan injected, not at a fixed 2 GBq that a
      // limit may cap at once (a review: the input showed 2 GBq, 1.538 GBq was injected).
      const injected = st.result?.summary.activityGBq;
      if (value === "activity" && injected !== undefined) st.settings = { ...st.settings, activityGBq: Math.round(1000 * injected) / 1000 };
      buildControls(side);
    }
  }
  const out = el.parentElement?.querySelector("output");
  if (out) out.textContent = el.dataset.key === "lungShuntFraction" ? `${fmt(100 * Number(value))} %` : fmt(Number(value));
  lastInput[side] = performance.now();
  // A slider or number field fires while it moves (a slider every frame, ~16 ms; a key press
  // every ~200 ms when typing): wait 100 ms for it to settle. A list choice is final: run at once.
  schedule(side, el instanceof HTMLSelectElement ? 0 : SETTLE_MS);
}

// ---------- runs ----------

const timers: Partial<Record<Side, number>> = {};
/** Wait after a slider or number field's last input before running (counted in bench/playground.ts's times). */
const SETTLE_MS = 100;

function schedule(side: Side, delayMs: number): void {
  clearTimeout(timers[side]);
  timers[side] = window.setTimeout(() => void run(side), delayMs);
}

/** When a control of each side last moved (performance.now()), for the latency the status shows. */
const lastInput: Partial<Record<Side, number>> = {};

const STAGE_TEXT: Readonly<Record<EngineProgress["progress"], string>> = {
  case: "reading the case",
  tree: "growing the arterial tree",
  transport: "planning and sphere transport",
  deposit: "placing the lodged spheres",
  dose: "absorbed dose and DVHs",
};

function seconds(ms: number | undefined): string {
  return ms === undefined ? "–" : `${(ms / 1000).toFixed(2)} s`;
}

/** "1.2 M" for a sphere count. */
function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e4 ? `${Math.round(n / 1e3)} k` : String(n);
}

async function run(side: Side): Promise<void> {
  const st = state.sides[side];
  if (st.running) {
    st.again = true;
    return;
  }
  st.running = true;
  st.again = false;
  const status = byId(`status-${side}`);
  const caseJson = caseFromSettings(CASES[state.preset.base], st.settings, modelTransport(st.settings.heterogeneity), TERMINALS);
  const t0 = performance.now();
  const inputAt = lastInput[side];
  const preset = state.preset;
  // Progress while it computes: the stage and the time since it started, ticking.
  let stageText = "computing";
  const tick = () => {
    status.textContent = `computing: ${stageText}… ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  };
  tick();
  status.className = "status busy";
  const ticker = window.setInterval(tick, 100);
  let drawn = false;
  try {
    const result = await engine.run(side, caseJson, (p) => {
      stageText = p.progress === "deposit" && p.spheres !== undefined ? `${STAGE_TEXT.deposit} (${count(p.spheres)} on ${p.threads} thread${p.threads === 1 ? "" : "s"})` : STAGE_TEXT[p.progress];
      tick();
    });
    window.clearInterval(ticker);
    if (preset !== state.preset) return;
    st.result = result;
    st.caseJson = caseJson;
    st.error = null;
    st.runs++;
    const computedMs = performance.now() - t0;
    drawAll();
    drawn = true;
    const doneAt = performance.now();
    const t = result.timingsMs;
    const latency = inputAt !== undefined && inputAt <= t0 && t0 - inputAt > 20 ? ` — ${seconds(doneAt - inputAt)} from the last input to this picture` : "";
    status.textContent =
      `${result.headline}. Updated ${new Date().toLocaleTimeString("en-GB")} in ${seconds(doneAt - t0)}${latency} (${engineMode}): ` +
      `${result.treeCached ? "tree kept" : `tree grown ${seconds(t.treeMs)}`}, transport ${seconds(t.transportMs)}, ` +
      `${count(result.summary.spheresInjected)} spheres placed ${seconds(t.depositMs)} on ${result.depositThreads} thread${result.depositThreads === 1 ? "" : "s"}${t.cellsMs ? ` (the new tree's 1 mg cells ${seconds(t.cellsMs)} of it)` : ""}, ` +
      `dose ${seconds(t.doseMs)}, drawing ${seconds(doneAt - t0 - computedMs)}`;
    status.className = "status";
  } catch (err) {
    window.clearInterval(ticker);
    st.error = (err as Error).message;
    status.textContent = `error: ${st.error}`;
    status.className = "status error";
  } finally {
    st.running = false;
  }
  if (!drawn) drawAll();
  // After the maps and DVHs are redrawn: what tests and bench/playground.ts wait for.
  document.body.dataset[`runs${side.toUpperCase()}`] = String(st.runs);
  document.body.dataset[`ms${side.toUpperCase()}`] = String(Math.round(performance.now() - t0));
  if (st.again) void run(side);
  if (state.sides.a.result && state.sides.b.result && !state.sides.a.running && !state.sides.b.running) document.body.dataset.ready = "true";
}

// ---------- drawing ----------

interface ViewAxes { slice: number; h: number; v: number; hReversed: boolean; edges: [string, string, string, string] }
const VIEWS: Record<string, ViewAxes> = {
  // Radiological convention on the RAS-aligned dose grid: patient right on the screen's left.
  axial: { slice: 2, h: 0, v: 1, hReversed: true, edges: ["R", "L", "A", "P"] },
  coronal: { slice: 1, h: 0, v: 2, hReversed: true, edges: ["R", "L", "S", "I"] },
  sagittal: { slice: 0, h: 1, v: 2, hReversed: true, edges: ["A", "P", "S", "I"] },
};

function slice(data: ArrayLike<number>, dims: readonly number[], view: ViewAxes, index: number, map?: (x: number) => number | null): Array<Array<number | null>> {
  const stride = [1, dims[0], dims[0] * dims[1]];
  const rows: Array<Array<number | null>> = [];
  for (let v = 0; v < dims[view.v]; v++) {
    const row: Array<number | null> = new Array(dims[view.h]);
    const base = index * stride[view.slice] + v * stride[view.v];
    for (let u = 0; u < dims[view.h]; u++) {
      const x = data[base + u * stride[view.h]];
      row[u] = map ? map(x) : x;
    }
    rows.push(row);
  }
  return rows;
}

function coords(n: number, spacing: number): number[] {
  return Array.from({ length: n }, (_, i) => i * spacing);
}

function hottestSlice(r: PlaygroundResult, view: ViewAxes): number {
  const { dims, data } = r.dose;
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  const ijk = [best % dims[0], Math.floor(best / dims[0]) % dims[1], Math.floor(best / (dims[0] * dims[1]))];
  return ijk[view.slice];
}

function mapLayout(view: ViewAxes, title: string, r: PlaygroundResult): Json {
  const w = (r.dose.dims[view.h] - 1) * r.dose.spacingMm[view.h];
  const h = (r.dose.dims[view.v] - 1) * r.dose.spacingMm[view.v];
  const bar = [10, 20, 50, 100].filter((l) => l <= w / 4).pop() ?? 10;
  const x0 = view.hReversed ? w - 0.05 * w : 0.05 * w;
  const x1 = view.hReversed ? x0 - bar : x0 + bar;
  return {
    title: { text: title, font: { size: 13 } },
    margin: { l: 30, r: 10, t: 34, b: 30 }, height: 380, paper_bgcolor: "#fff", plot_bgcolor: "#000", showlegend: false,
    xaxis: { autorange: view.hReversed ? "reversed" : true, showgrid: false, zeroline: false, showticklabels: false, title: { text: `${view.edges[0]} ◀ ▶ ${view.edges[1]}`, font: { size: 11 } } },
    yaxis: { scaleanchor: "x", showgrid: false, zeroline: false, showticklabels: false, title: { text: `${view.edges[3]} ◀ ▶ ${view.edges[2]}`, font: { size: 11 } } },
    shapes: [{ type: "line", xref: "x", yref: "y", x0, x1, y0: 0.06 * h, y1: 0.06 * h, line: { color: "#fff", width: 3 } }],
    annotations: [{ xref: "x", yref: "y", x: (x0 + x1) / 2, y: 0.06 * h, yshift: 10, text: `${bar} mm`, showarrow: false, font: { color: "#fff", size: 11 } }],
  };
}

function doseTraces(r: PlaygroundResult, view: ViewAxes, index: number, zmax: number): Json[] {
  const { dims, spacingMm, data } = r.dose;
  const x = coords(dims[view.h], spacingMm[view.h]);
  const y = coords(dims[view.v], spacingMm[view.v]);
  const doseSlice = slice(data, dims, view, index);
  const traces: Json[] = [
    { type: "heatmap", name: "liver", x, y, z: slice(r.labels, dims, view, index, (l) => (l > 0 ? 1 : 0)), colorscale: [[0, "#000"], [1, "#333"]], zmin: 0, zmax: 1, showscale: false, hoverinfo: "skip" },
    {
      type: "heatmap", name: "dose", x, y, z: doseSlice.map((row) => row.map((d) => (d !== null && d > 0.02 * zmax ? d : null))),
      colorscale: DOSE_SCALE, zmin: 0, zmax, opacity: 0.75, colorbar: { title: { text: "Gy", side: "top" }, thickness: 12, len: 0.9 }, hovertemplate: "%{z:.3g} Gy<extra></extra>",
    },
  ];
  r.isodoses.forEach((iso, n) => {
    traces.push({
      type: "contour", name: `${fmt(iso.doseGy)} Gy`, x, y, z: doseSlice, autocontour: false, showscale: false, hoverinfo: "skip",
      contours: { start: iso.doseGy, end: iso.doseGy, size: iso.doseGy, coloring: "none" }, line: { color: ISO_COLOURS[n % ISO_COLOURS.length], width: 1.5 },
    });
  });
  return traces;
}

function drawMaps(): void {
  const a = state.sides.a.result;
  const b = state.sides.b.result;
  const view = VIEWS[state.view];
  const ref = a ?? b;
  if (!ref) return;
  const n = ref.dose.dims[view.slice];
  const slider = byId<HTMLInputElement>("slice");
  slider.max = String(n - 1);
  if (state.slice < 0 || state.slice >= n) state.slice = hottestSlice(ref, view);
  slider.value = String(state.slice);
  byId("slice-caption").textContent = `${state.view} slice ${state.slice + 1} / ${n}`;
  const zmax = Math.max(a?.dose.maxGy ?? 0, b?.dose.maxGy ?? 0) || 1;
  for (const side of SIDES) {
    const r = state.sides[side].result;
    if (r) void Plotly.react(`map-${side}`, doseTraces(r, view, state.slice, zmax), mapLayout(view, `${side.toUpperCase()}: ${r.headline}`, r), PLOT_CONFIG);
  }
  const diffBox = byId("diff-note");
  if (a && b && a.dose.dims.join() === b.dose.dims.join()) {
    const diff = new Float32Array(a.dose.data.length);
    let m = 0;
    for (let i = 0; i < diff.length; i++) {
      // B − A, as the metrics' difference table (the map read A − B beside a B − A table).
      diff[i] = b.dose.data[i] - a.dose.data[i];
      m = Math.max(m, Math.abs(diff[i]));
    }
    const { dims, spacingMm } = a.dose;
    const trace = {
      type: "heatmap", name: "B − A", x: coords(dims[view.h], spacingMm[view.h]), y: coords(dims[view.v], spacingMm[view.v]),
      z: slice(diff, dims, view, state.slice), colorscale: DIFF_SCALE, zmin: -(m || 1), zmax: m || 1, colorbar: { title: { text: "Gy", side: "top" }, thickness: 12, len: 0.9 },
      hovertemplate: "%{z:.3g} Gy<extra>B − A</extra>",
    };
    void Plotly.react("map-diff", [trace], { ...mapLayout(view, "B − A (red: B higher)", a), plot_bgcolor: "#f7f7f7" }, PLOT_CONFIG);
    diffBox.textContent = `Largest difference ${fmt(m)} Gy.`;
  } else diffBox.textContent = "The difference needs both results on the same dose grid.";
}

function drawDvh(): void {
  const traces: Json[] = [];
  const colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
  for (const side of SIDES) {
    const r = state.sides[side].result;
    if (!r) continue;
    r.dvh.forEach((c, n) => {
      traces.push({
        type: "scatter", mode: "lines", name: `${side.toUpperCase()}: ${c.name}`, x: Array.from(c.doseGy), y: Array.from(c.volumeFraction, (f) => 100 * f),
        line: { width: 2, shape: "hv", color: colours[n % colours.length], dash: side === "a" ? "solid" : "dash" }, legendgroup: c.name,
      });
    });
  }
  void Plotly.react("dvh-plot", traces, {
    margin: { l: 60, r: 20, t: 10, b: 50 }, height: 420,
    xaxis: { title: { text: "dose (Gy)" }, rangemode: "tozero" }, yaxis: { title: { text: "volume receiving ≥ dose (%)" }, range: [0, 101] },
  }, PLOT_CONFIG);
}

const METRIC_COLUMNS: ReadonlyArray<[string, string, (c: Json) => number | null]> = [
  ["mean", "mean dose (Gy)", (c) => c.meanDoseGy],
  ["partition", "partition model (Gy)", (c) => c.partitionGy],
  ["D70", "D70 (Gy)", (c) => c.D70Gy],
  ["D90", "D90 (Gy)", (c) => c.D90Gy],
  ["V100", "V100 (%)", (c) => (c.V100 === null || c.V100 === undefined ? null : 100 * c.V100)],
  ["spheres", "spheres", (c) => c.spheres],
];

function metricRows(r: PlaygroundResult): Array<[string, Json]> {
  const rows: Array<[string, Json]> = Object.entries(r.summary.compartments).map(([name, c]) => [name, { ...c, partitionGy: r.summary.partitionModel[name]?.meanDoseGy ?? null }]);
  rows.push(["lung", { meanDoseGy: r.summary.lung.meanDoseGy, spheres: r.summary.lung.spheres, partitionGy: r.summary.partitionModel.lung?.meanDoseGy ?? null }]);
  return rows;
}

function drawMetrics(side: Side): void {
  const r = state.sides[side].result;
  const table = byId(`metrics-${side}`);
  const adv = byId(`advisories-${side}`);
  if (!r) {
    table.innerHTML = "";
    adv.innerHTML = "";
    return;
  }
  const s = r.summary;
  table.innerHTML =
    `<caption>${fmt(s.activityGBq)} GBq injected${limitedText(s.plan)}, ${fmt(s.spheresInjected)} spheres${s.reflux.stasis ? `; <b>stasis</b>: ${fmt(s.reflux.spheres)} spheres refluxed` : ""}</caption>` +
    `<thead><tr><th>VOI</th>${METRIC_COLUMNS.map(([, h]) => `<th>${h}</th>`).join("")}</tr></thead><tbody>` +
    metricRows(r).map(([name, c]) => `<tr data-voi="${name}"><th>${name}</th>${METRIC_COLUMNS.map(([k, , f]) => `<td data-metric="${k}">${fmt(f(c))}</td>`).join("")}</tr>`).join("") +
    "</tbody>";
  // The plan's advisories, then what the simulation found that `simulate` warns of: reflux above
  // 5 % of the activity (the Stasis preset's 26.9 % was only in the caption, a review).
  const items = [...r.advisories.map((a) => ({ level: a.level, message: a.message })), ...(s.reflux.warning !== null ? [{ level: "warning", message: s.reflux.warning }] : [])];
  adv.innerHTML = items.length
    ? items.map((a) => `<li class="level-${a.level}"><b>${a.level}</b> ${a.message.replace(/</g, "&lt;")}</li>`).join("")
    : "<li class=\"muted\">No advisories.</li>";
}

function drawDifference(): void {
  const a = state.sides.a.result;
  const b = state.sides.b.result;
  const table = byId("metrics-diff");
  if (!a || !b) return;
  const rowsB = new Map(metricRows(b));
  table.innerHTML =
    `<thead><tr><th>VOI</th>${METRIC_COLUMNS.map(([, h]) => `<th>B − A: ${h}</th>`).join("")}</tr></thead><tbody>` +
    metricRows(a)
      .filter(([name]) => rowsB.has(name))
      .map(([name, ca]) => {
        const cb = rowsB.get(name)!;
        return `<tr><th>${name}</th>${METRIC_COLUMNS.map(([k, , f]) => {
          const x = f(ca);
          const y = f(cb);
          // Equal values computed along different paths differ by round-off (1e-14): show 0.
          const d = x === null || y === null ? null : Math.abs(y - x) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) ? 0 : y - x;
          return `<td data-metric="${k}">${fmt(d)}</td>`;
        }).join("")}</tr>`;
      })
      .join("") +
    "</tbody>";
}

function drawAll(): void {
  for (const side of SIDES) drawMetrics(side);
  drawMaps();
  drawDvh();
  drawDifference();
}

// ---------- page ----------

function downloadCase(side: Side): void {
  const c = state.sides[side].caseJson;
  if (!c) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([JSON.stringify(c, null, 2)], { type: "application/json" }));
  a.download = `playground-${state.preset.id}-${side}.json`;
  a.click();
}

function main(): void {
  byId("presets").innerHTML = PRESETS.map((p) => `<button type="button" data-preset="${p.id}" aria-pressed="false">${p.title}</button>`).join("");
  byId("presets").querySelectorAll<HTMLButtonElement>("button").forEach((b) => b.addEventListener("click", () => applyPreset(PRESETS.find((p) => p.id === b.dataset.preset)!)));
  byId<HTMLSelectElement>("view").addEventListener("input", (ev) => {
    state.view = (ev.target as HTMLSelectElement).value as typeof state.view;
    state.slice = -1;
    drawMaps();
  });
  byId<HTMLInputElement>("slice").addEventListener("input", (ev) => {
    state.slice = Number((ev.target as HTMLInputElement).value);
    drawMaps();
  });
  for (const side of SIDES) byId(`download-${side}`).addEventListener("click", () => downloadCase(side));
  byId("engine-mode").textContent = engineMode;
  // The tree the page grows (?terminals= changes it; the header said 20,000 whatever).
  byId("terminal-count").textContent = TERMINALS.toLocaleString("en");
  const g = globalThis as unknown as { sirtsimPlayground?: unknown };
  g.sirtsimPlayground = { state, applyPreset, presets: PRESETS };
  applyPreset(PRESETS.find((p) => p.id === PARAMS.get("preset")) ?? PRESETS[0]);
}

main();

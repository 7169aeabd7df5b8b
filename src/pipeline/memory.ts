/**
 * Peak memory of a run, estimated from the resolved case before any work (issue 19 §2), and the
 * limit it is checked against (`--max-memory`). A run whose estimate exceeds the limit is refused
 * with exit 2 and the estimate, instead of being killed by the kernel after minutes of work.
 *
 * The estimate adds what is alive at the peak (the dose stage, with the tree and transport still
 * held):
 * - the tree, its growth scratch and the transport's per-segment arrays: bytes per terminal;
 * - the dose grids: counts and activity (float64), FFT and local-deposition dose (float32), labels
 *   and one VOI mask (uint8), the sorted doses of the largest VOI's DVH (float64, two methods), and
 *   the NIfTI encodings of the written grids: bytes per dose-grid voxel;
 * - the FFT: the half-spectrum of every plane (float32 complex over the padded x and y, data z),
 *   the kernel spectrum (float32, padded/8) and the kernel itself (float64 octant, twice);
 * - a fixed base (Node, modules, the worker pool's threads).
 * The per-item coefficients are measured (bench/memory.ts, recorded in bench/memory.md): peak RSS
 * of simulate runs over a range of terminals and voxel sizes, each coefficient rounded up so the
 * estimate stays above every measured run; test/cli/memory.test.ts re-checks a small run.
 */
import { totalmem } from "node:os";
import { constants as bufferConstants } from "node:buffer";
import { InputError } from "../errors.js";
import type { Domain, GridGeometry, Vec3 } from "../geometry/index.js";
import { PRODUCTS } from "../physics/index.js";
import type { ProductId } from "../physics/products.js";
import { doseGridGeometry, domainVolumesOfInterest } from "./doseStage.js";
import { fftLayout } from "../dose/fft3d.js";
import { MAX_DVH_POINTS } from "../dose/dvh.js";
import { NUCLIDES } from "../physics/index.js";
import type { NuclideId } from "../physics/index.js";
import { SUBTERMINAL_RANGES } from "../transport/defaults.js";
import { resolveHeterogeneity, type HeterogeneityOptions } from "../transport/models/heterogeneity.js";
import { subTerminalModel } from "../transport/models/subTerminal.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../physics/units.js";

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * Node, the modules and the worker pool, bytes (measured 157 MiB: 2000 terminals at 4 mm,
 * bench/memory.md). 224 since a fresh-clone CI run (2026-12-07) measured a peak RSS of 217.8 MB
 * for test/cli/memory.test.ts's 2000-terminal run, above the 211 MB the base of 192 MiB gave
 * (the same run peaks at 180–187 MB locally: the peak RSS of a short run moves with GC timing).
 */
export const BASE_BYTES = 224 * MIB;
/**
 * Tree (SoA, ~100 B per segment, 2 segments per terminal), growth scratch and transport arrays,
 * bytes per terminal: measured 650–820 with one worker and no feedback (bench/memory.md), and up
 * to 1441 at 1.5e6 terminals with embolic feedback on two workers (net-default: CLI peak 2298 MiB,
 * bench/scale.ts 2150 MiB; bench/memory.md); 1600 kept the estimate above both, until repeated
 * CLI runs at 1.5e6 terminals peaked at 2473–2911 MiB (the peak moves by ±200 MiB between identical
 * runs, with when the workers' heaps are collected; bench/memory.md, 2026-12-08): 2100 keeps the
 * estimate (3.2 GiB) 1.14× above the highest, a margin wider than that spread.
 */
export const BYTES_PER_TERMINAL = 2100;
/** Dose-stage grids and their encodings, bytes per dose-grid voxel (measured ~30 with the FFT before per-voxel BED/EUD, ~46 after; see the file comment). */
export const BYTES_PER_DOSE_VOXEL = 60;
/** Dose command (an image in): file bytes (twice: read + copy), float32 image, activity, dose, labels, DVH, bytes per voxel. */
export const BYTES_PER_IMAGE_VOXEL = 56;

/** One named share of an estimate, bytes. */
export interface MemoryPart {
  readonly name: string;
  readonly bytes: number;
}

export interface MemoryEstimate {
  readonly bytes: number;
  readonly parts: readonly MemoryPart[];
}

/** The largest typed array Node can allocate, elements (a grid beyond it cannot exist at all). */
const MAX_ARRAY_ELEMENTS = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32);

/** FFT convolution of a grid with the nuclide's kernel: spectrum, kernel spectrum, kernel octant. */
export function fftBytes(dims: Vec3, spacingMm: Vec3, nuclide: NuclideId): number {
  // The kernel reaches the nuclide's maximum range (svalues.ts: h = floor(rMax / s) + 1).
  const rMax = NUCLIDES[nuclide].maxRangeMm;
  const half = spacingMm.map((s) => Math.floor(rMax / s) + 1) as Vec3;
  const layout = fftLayout(dims, half);
  const [Nx, Ny, Nz] = layout.padded;
  const spectrum = 4 * layout.spectrumFloats;
  const kernelSpectrum = 4 * (Nx / 2 + 1) * (Ny / 2 + 1) * (Nz / 2 + 1) + 8 * (half[2] + 1) * (Ny / 2 + 1) * (Nx / 2 + 1);
  const octant = 2 * 8 * (half[0] + 1) * (half[1] + 1) * (half[2] + 1);
  return spectrum + kernelSpectrum + octant;
}

/** What a simulation needs to be estimated: known once the case is loaded, before the tree. */
export interface SimulationMemoryInput {
  readonly terminals: number;
  readonly doseGrid: GridGeometry;
  readonly nuclide: NuclideId;
  /** Number of VOIs with a DVH curve (tumours + normal + liver (+ perfused)). */
  readonly vois: number;
  /** Stages run: "tree" (tree only), "transport" (tree + transport), "simulate" (all). */
  readonly stages?: "tree" | "transport" | "simulate";
  /**
   * The "fractal" model's sub-terminal cells (src/transport/models/territoryCells.ts), built for
   * the deposit: the liver's bounding box in mm³ and the cell mass in mg; absent for other models.
   */
  readonly subTerminalCells?: { readonly boxMm3: number; readonly unitMassMg: number };
}

/**
 * Sub-terminal cells, bytes per lattice cell of the liver's bounding box: the owner (Int32) of
 * every box cell, and for each perfused cell its index (Int32) and perfusion (Float64).
 */
export const BYTES_PER_SUBTERMINAL_CELL = 16;
/** Tissue density for the cell count, mg/mm³ = g/mL: the cells' own (heterogeneity.ts densityGPerMl). */
const CELL_DENSITY_MG_PER_MM3 = DEFAULT_TISSUE_DENSITY_G_PER_ML;

/** Peak memory of a simulate / tree / transport run. */
export function estimateSimulationMemory(input: SimulationMemoryInput): MemoryEstimate {
  const stages = input.stages ?? "simulate";
  const parts: MemoryPart[] = [
    { name: "base", bytes: BASE_BYTES },
    { name: `tree and transport (${input.terminals.toLocaleString("en")} terminals)`, bytes: BYTES_PER_TERMINAL * input.terminals },
  ];
  if (stages === "simulate") {
    const dims = input.doseGrid.dims;
    const voxels = dims[0] * dims[1] * dims[2];
    parts.push({ name: `dose grids (${dims.join("×")} voxels of ${input.doseGrid.spacingMm[0]} mm)`, bytes: BYTES_PER_DOSE_VOXEL * voxels });
    parts.push({ name: "FFT convolution", bytes: voxels > MAX_ARRAY_ELEMENTS ? 4 * voxels : fftBytes(dims, input.doseGrid.spacingMm, input.nuclide) });
    parts.push({ name: "DVH curves", bytes: 16 * MAX_DVH_POINTS * input.vois });
    if (input.subTerminalCells) {
      const cells = (input.subTerminalCells.boxMm3 * CELL_DENSITY_MG_PER_MM3) / input.subTerminalCells.unitMassMg;
      parts.push({ name: `sub-terminal cells (${Math.round(cells).toLocaleString("en")} of ${input.subTerminalCells.unitMassMg} mg)`, bytes: BYTES_PER_SUBTERMINAL_CELL * cells });
    }
  }
  return { bytes: parts.reduce((s, p) => s + p.bytes, 0), parts };
}

/** Peak memory of `sirtsim dose` on an image of `dims` (the header is enough). */
export function estimateImageDoseMemory(dims: Vec3, spacingMm: Vec3, nuclide: NuclideId, method: "fft" | "ldm"): MemoryEstimate {
  const voxels = dims[0] * dims[1] * dims[2];
  const parts: MemoryPart[] = [
    { name: "base", bytes: BASE_BYTES },
    { name: `image grids (${dims.join("×")} voxels)`, bytes: BYTES_PER_IMAGE_VOXEL * voxels },
  ];
  if (method === "fft") parts.push({ name: "FFT convolution", bytes: fftBytes(dims, spacingMm, nuclide) });
  return { bytes: parts.reduce((s, p) => s + p.bytes, 0), parts };
}

/** Share of the machine's memory a run may use by default, and the margin left for the system. */
export const DEFAULT_MEMORY_SHARE = 0.75;
export const DEFAULT_MEMORY_MARGIN_BYTES = 512 * MIB;

/** The default limit: 75 % of this machine's memory minus 0.5 GiB. */
export function defaultMemoryLimitBytes(): number {
  return Math.max(256 * MIB, DEFAULT_MEMORY_SHARE * totalmem() - DEFAULT_MEMORY_MARGIN_BYTES);
}

const SIZE_UNITS: Readonly<Record<string, number>> = Object.freeze({
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: MIB, gib: GIB, tib: 1024 ** 4,
});

/** `"8 GiB"`, `"500 MB"`, `"12"` (GiB) → bytes; an InputError naming `option` otherwise. */
export function parseMemorySize(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m?.[3]?.toLowerCase() ?? "";
  const factor = unit === "" ? GIB : SIZE_UNITS[unit];
  const value = m ? Number(`${m[1]}${m[2] !== undefined ? `e${m[2]}` : ""}`) * (factor ?? NaN) : NaN;
  if (!(value >= 64 * MIB) || !Number.isFinite(value)) {
    throw new InputError(option, `${option} must be a memory size of at least 64 MiB, like "8 GiB", "500 MB" or 12 (GiB), got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The limit of a run: `--max-memory` when given, else the default. */
export function memoryLimitBytes(option: string | undefined): number {
  return option === undefined ? defaultMemoryLimitBytes() : parseMemorySize("--max-memory", option);
}

/** "3.2 GiB" / "850 MiB". */
export function formatBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.ceil(bytes / MIB)} MiB`;
}

/**
 * Refuse (InputError on `--max-memory`, exit 2) a run whose estimate exceeds the limit, with the
 * estimate, its largest parts, and what to change. `hint` names the case fields that drive it.
 */
export function checkMemory(estimate: MemoryEstimate, limitBytes: number, hint: string): void {
  if (estimate.bytes <= limitBytes) return;
  const parts = [...estimate.parts].sort((a, b) => b.bytes - a.bytes).filter((p) => p.name !== "base").slice(0, 3);
  // The parts named add up with the rest to the estimate (a review read 297 MiB against parts of 72 MiB).
  const base = estimate.parts.find((p) => p.name === "base")?.bytes ?? 0;
  const rest = estimate.bytes - parts.reduce((sum, p) => sum + p.bytes, 0);
  const restText = rest > 0 ? `; the rest ${formatBytes(rest)}${base > 0 ? `, of which Node, the modules and the worker pool ${formatBytes(base)}` : ""}` : "";
  throw new InputError(
    "--max-memory",
    `this run needs an estimated ${formatBytes(estimate.bytes)} of memory (${parts.map((p) => `${p.name}: ${formatBytes(p.bytes)}`).join("; ")}${restText}), ` +
      `above the limit of ${formatBytes(limitBytes)} (--max-memory; default ${100 * DEFAULT_MEMORY_SHARE} % of this machine's ${formatBytes(totalmem())} minus ${formatBytes(DEFAULT_MEMORY_MARGIN_BYTES)}). ` +
      `Reduce ${hint}, or raise --max-memory (e.g. --max-memory "${Math.ceil((estimate.bytes * 1.1) / GIB)} GiB") on a machine that has it`,
  );
}

/** The estimate of a loaded simulation case (the dose grid follows from its domain and `dose`). */
export function estimateCaseMemory(
  simCase: {
    readonly domain: Domain;
    readonly tree: { readonly terminals: number };
    readonly dose: { readonly voxelMm: number; readonly marginMm: number };
    readonly planning: { readonly product: ProductId };
    readonly transportSection?: unknown;
  },
  stages: SimulationMemoryInput["stages"] = "simulate",
): MemoryEstimate {
  const { minMm, maxMm } = simCase.domain.boundsMm;
  const cellsFor = subTerminalCellMass(simCase.transportSection);
  return estimateSimulationMemory({
    ...(cellsFor === null ? {} : { subTerminalCells: { boxMm3: (maxMm[0] - minMm[0]) * (maxMm[1] - minMm[1]) * (maxMm[2] - minMm[2]), unitMassMg: cellsFor } }),
    terminals: simCase.tree.terminals,
    doseGrid: doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm),
    nuclide: PRODUCTS[simCase.planning.product].nuclide,
    vois: domainVolumesOfInterest(simCase.domain, true).length,
    stages,
  });
}

/**
 * The sub-terminal cell mass of a case's raw `transport` section, mg, or null when its model has
 * no cells (any model but "fractal", the default). The section is validated before the estimate.
 */
function subTerminalCellMass(transportSection: unknown): number | null {
  const t = transportSection as { heterogeneity?: HeterogeneityOptions & { unitMassMg?: unknown }; bias?: unknown } | undefined;
  // The model the run resolves (transport/models/heterogeneity.ts), from the validated section.
  const model = resolveHeterogeneity(t?.heterogeneity, typeof t?.bias === "number" ? t.bias : 0.5);
  if (subTerminalModel(model, 0) === null) return null;
  // A unit string ("0.5 mg") is estimated at the range's floor: at most 10× the cells, never fewer.
  return typeof model.unitMassMg === "number" && model.unitMassMg > 0 ? model.unitMassMg : SUBTERMINAL_RANGES.unitMassMg.min;
}

/** What drives a simulation's memory, for the refusal message. */
export const SIMULATION_MEMORY_HINT = "tree.terminals or the dose grid (raise dose.voxelMm)";

/** The `--max-memory` option of every command that runs a case (commander flags, description). */
export const MAX_MEMORY_OPTION = [
  "--max-memory <size>",
  `refuse (exit 2) a run whose estimated peak memory exceeds this, e.g. "8 GiB" (default ${100 * DEFAULT_MEMORY_SHARE} % of the machine's memory minus ${formatBytes(DEFAULT_MEMORY_MARGIN_BYTES)})`,
] as const;

/** The estimate of `sirtsim tree` / `sirtsim transport` (no dose grid). */
export function estimateTreeMemory(terminals: number, stages: "tree" | "transport"): MemoryEstimate {
  return estimateSimulationMemory({ terminals, doseGrid: { dims: [1, 1, 1], spacingMm: [1, 1, 1], originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" }, nuclide: "Y-90", vois: 0, stages });
}

/**
 * The plain data a report is made from (`renderReport(input: ReportInput)`). Every field is plain
 * data (numbers, strings, typed arrays, grids); nothing here refers to the simulator.
 */
import type { Grid, GridData } from "../geometry/grid.js";
import type { DvhCurve } from "../io/csv.js";

export type { DvhCurve };

/** One "label: value" line of the case summary, e.g. { label: "Activity", value: "1.67 GBq" }. */
export interface SummaryItem {
  readonly label: string;
  readonly value: string | number;
}

/** An advisory (EANM 2022, product labels): same shape as src/planning's `Advisory`. */
export interface ReportAdvisory {
  readonly level: "info" | "warning" | "contraindication" | string;
  readonly code?: string;
  readonly message: string;
}

/** The metrics table: a header and rows (numbers are shown with 4 significant digits). */
export interface MetricsTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
}

/**
 * Sphere-cluster histogram: `counts[b]` clusters held `spheresPerCluster[b]` spheres. Numeric
 * sizes are drawn on a log x axis at their value; labels (e.g. "6–10") fall back to a
 * categorical axis.
 */
export interface ClusterHistogram {
  /** Cluster sizes (spheres) on the x axis, e.g. [1, 2, 17, 161], or bin labels. */
  readonly spheresPerCluster: ReadonlyArray<number | string>;
  /** Number of clusters in each bin. */
  readonly counts: ArrayLike<number>;
  /** Optional caption, e.g. "Y-90 resin, 44 M spheres". */
  readonly caption?: string;
  /** One line saying what the engine counts as one cluster (shown above the plot). */
  readonly definition?: string;
}

/**
 * Surface points of a volume (liver, a tumour), drawn as dots around the tree so the branches
 * can be seen entering the tumours. Same frame as the tree's points.
 */
export interface TreeOutline {
  readonly name: string;
  readonly kind: "liver" | "tumour";
  /** Points on the surface, mm, xyz interleaved. */
  readonly pointsMm: ArrayLike<number>;
}

/** Tree segments for the 3-D view, struct of arrays, one entry per segment. */
export interface TreeSegments {
  /** World frame of the points, default "RAS" (LPS points are converted for the anterior view). */
  readonly frame?: "RAS" | "LPS";
  /** Proximal end points, mm, xyz interleaved. */
  readonly proximalMm: ArrayLike<number>;
  /** Distal end points, mm, xyz interleaved. */
  readonly distalMm: ArrayLike<number>;
  /** Lumen radius, mm. */
  readonly radiusMm: ArrayLike<number>;
  /** Spheres lodged in (or downstream of, as the caller chooses) each segment. */
  readonly lodged: ArrayLike<number>;
  /** What `lodged` counts, for the colour bar, default "lodged spheres". */
  readonly lodgedLabel?: string;
  /** Liver and tumour surfaces drawn with the tree (see `labelOutlines`). */
  readonly outlines?: readonly TreeOutline[];
}

/** An isodose line: its dose and what it stands for ("normal-liver limit (EANM 2022)"). */
export interface IsodoseLevel {
  readonly doseGy: number;
  readonly label?: string;
}

/** Anatomy under the dose map: a CT (HU) or a label map with names. */
export type ReportAnatomy =
  | { readonly kind: "ct"; readonly grid: Grid<GridData>; readonly windowHu?: readonly [number, number] }
  | { readonly kind: "labels"; readonly grid: Grid<GridData>; readonly names?: Readonly<Record<number, string>> };

export interface ReportInput {
  readonly title: string;
  readonly subtitle?: string;
  /** Case summary lines (patient/phantom, product, activity, method…). */
  readonly summary: readonly SummaryItem[];
  /** Absorbed dose, Gy. */
  readonly doseGy: Grid<GridData>;
  /** CT or label map; resampled onto the dose grid when its geometry differs. */
  readonly anatomy?: ReportAnatomy;
  /**
   * Isodose levels, Gy, plain or labelled; default: 10/25/50/75/100 % of a round maximum. A
   * simulation passes the clinical levels of its product (`clinicalIsodoses`).
   */
  readonly isodoseGy?: ReadonlyArray<number | IsodoseLevel>;
  readonly dvh: readonly DvhCurve[];
  readonly metrics: MetricsTable;
  /**
   * The D_x and V_y levels the case asked for (`dose.dPercents`, `dose.vThresholdsGy`), one row
   * per VOI, shown under the metrics table (issue 19: every accepted option shows).
   */
  readonly dvhMetrics?: MetricsTable;
  readonly advisories: readonly ReportAdvisory[];
  readonly clusterHistogram?: ClusterHistogram;
  /** For simulations: the arterial tree coloured by lodged spheres. */
  readonly tree?: TreeSegments;
  /** Provenance (version, constants, seed), shown verbatim at the end of the report. */
  readonly provenance?: Readonly<Record<string, unknown>>;
  /** Free-text notes (assumptions, caveats), one paragraph each. */
  readonly notes?: readonly string[];
}

export interface RenderReportOptions {
  /**
   * Largest number of tree segments drawn (the widest first: by Murray's law a parent is wider
   * than its children, so this keeps a connected trunk). Default 20 000.
   */
  readonly treeMaxSegments?: number;
  /**
   * Budget for the embedded volumes (base64 bytes): the CT drops to 64 grey levels when it takes
   * more than a third, the dose to 8 bits when 16 do not fit what is left. Default: 5 MB minus
   * the Plotly bundle and 250 kB for the page, so a 128³ report stays ≤ 5 MB.
   */
  readonly dataBudgetBytes?: number;
}

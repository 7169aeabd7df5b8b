/**
 * TCP and NTCP in the report (src/dose/outcome.ts): two columns appended to the metrics table and
 * a note naming the models and their sources. Kept apart from finish.ts's table so that the
 * metrics columns and the outcome columns are edited independently.
 */
import type { ReportInput } from "../report/types.js";
import type { SimulationSummary } from "./finish.js";

/** The report with "TCP" and "NTCP" columns (null where the VOI's tissue has no such model) and their note. */
export function withOutcomeColumns(report: ReportInput, summary: SimulationSummary): ReportInput {
  const rows = report.metrics.rows.map((row) => {
    const rb = summary.compartments[String(row[0])]?.radiobiology;
    return [...row, rb?.tcp ?? null, rb?.ntcp ?? null];
  });
  const tumour = Object.values(summary.compartments).find((c) => c.radiobiology?.tcpParameters)?.radiobiology?.tcpParameters;
  const liver = Object.values(summary.compartments).find((c) => c.radiobiology?.ntcpParameters)?.radiobiology?.ntcpParameters;
  const parts = [
    tumour ? `TCP (tumours): logistic in the EUD, EUD50 ${tumour.eud50Gy} Gy, γ50 ${tumour.gamma50.toFixed(3)} (default: HCC, d'Abadie et al. EJNMMI Res 2022).` : "TCP: not computed (dose.radiobiology.tumour.tcp is null).",
    liver
      ? `NTCP (normal liver; also liver and perfused, which contain the tumours): Lyman–Kutcher–Burman on the voxel BEDs, TD50 ${liver.td50BedGy} Gy BED, m ${liver.m}, n ${liver.n} (default: resin, HCC, Strigari et al. J Nucl Med 2010).`
      : "NTCP: not computed (dose.radiobiology.normalLiver.ntcp is null).",
    "Both are population models fitted to small HCC cohorts, with wide uncertainty; no NET parameters were found. docs/dose.md#outcome.",
  ];
  return {
    ...report,
    metrics: { columns: [...report.metrics.columns, "TCP", "NTCP"], rows },
    notes: [...(report.notes ?? []), parts.join(" ")],
  };
}

/**
 * TCP and NTCP in the report (src/dose/outcome.ts): two columns appended to the metrics table and
 * a note naming the models and their sources. Kept apart from finish.ts's table so that the
 * metrics columns and the outcome columns are edited independently.
 */
import type { ReportInput } from "../report/types.js";
import type { SimulationSummary } from "./finish.js";
import { NTCP_DEFAULTS } from "../dose/outcome.js";
import { PRODUCTS } from "../physics/products.js";

/**
 * A note when the run's NTCP uses the default parameters outside the product they were fitted on:
 * the default TD50 (NTCP_DEFAULTS, 93 Gy BED) is resin Y-90's in HCC; Walrand et al. 2014 quote
 * 250 Gy BED for glass, and no Ho-166 fit was found (its faster dose rate also raises the BED per
 * Gy). null when the product is resin, no NTCP was computed, or the case set its own TD50.
 */
export function ntcpOutsideFit(summary: Pick<SimulationSummary, "compartments" | "plan">): string | null {
  const liver = Object.values(summary.compartments).find((c) => c.radiobiology?.ntcpParameters)?.radiobiology?.ntcpParameters;
  const product = summary.plan.product;
  if (!liver || product === "sir-spheres" || liver.td50BedGy !== NTCP_DEFAULTS.td50BedGy) return null;
  const advice = product === "therasphere" ? `Walrand et al. J Nucl Med 2014 quote BED50 250 Gy for glass: set dose.radiobiology.normalLiver.ntcp.td50BedGy` : "no fit for this product was found: read its NTCP as outside the model";
  return `NTCP uses resin Y-90's HCC parameters (TD50 ${liver.td50BedGy} Gy BED) for a ${PRODUCTS[product].name} treatment; ${advice} (docs/dose.md#outcome).`;
}

/** The report with "TCP" and "NTCP" columns (null where the VOI's tissue has no such model) and their note. */
export function withOutcomeColumns(report: ReportInput, summary: SimulationSummary): ReportInput {
  const rows = report.metrics.rows.map((row) => {
    const rb = summary.compartments[String(row[0])]?.radiobiology;
    return [...row, rb?.tcp ?? null, rb?.ntcp ?? null];
  });
  const tumour = Object.values(summary.compartments).find((c) => c.radiobiology?.tcpParameters)?.radiobiology?.tcpParameters;
  const liver = Object.values(summary.compartments).find((c) => c.radiobiology?.ntcpParameters)?.radiobiology?.ntcpParameters;
  const outsideFit = ntcpOutsideFit(summary);
  const parts = [
    tumour ? `TCP (tumours): logistic in the EUD, EUD50 ${tumour.eud50Gy} Gy, γ50 ${tumour.gamma50.toFixed(3)} (default: HCC, d'Abadie et al. EJNMMI Res 2022).` : "TCP: not computed (dose.radiobiology.tumour.tcp is null).",
    liver
      ? `NTCP (normal liver; also liver and perfused, which contain the tumours): Lyman–Kutcher–Burman on the voxel BEDs, TD50 ${liver.td50BedGy} Gy BED, m ${liver.m}, n ${liver.n} (default: resin, HCC, Strigari et al. J Nucl Med 2010).`
      : "NTCP: not computed (dose.radiobiology.normalLiver.ntcp is null).",
    "Both are population models fitted to small HCC cohorts, with wide uncertainty; no NET parameters were found. docs/dose.md#outcome.",
    ...(outsideFit === null ? [] : [outsideFit]),
  ];
  return {
    ...report,
    metrics: { columns: [...report.metrics.columns, "TCP", "NTCP"], rows },
    notes: [...(report.notes ?? []), parts.join(" ")],
  };
}

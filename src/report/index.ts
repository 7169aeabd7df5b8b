/** The HTML report: `renderReport(input)` and the plain-data types it takes. */
export { renderReport, escapeHtml } from "./html.js";
export { clinicalIsodoses, fractionIsodoses, RESIN_TUMOUR_TARGET_LOW_GY } from "./isodose.js";
export type { IsodoseContext } from "./isodose.js";
export { formatNumber, formatQuantity } from "./format.js";
export { labelOutlines } from "./outline.js";
export type { OutlineGroup } from "./outline.js";
export { parseReportConfig, reportConfigSchema } from "./config.js";
export type { ReportConfig } from "./config.js";
export type * from "./types.js";

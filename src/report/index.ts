/** The HTML report: `renderReport(input)` and the plain-data types it takes. */
export { renderReport, escapeHtml } from "./html.js";
export type * from "./types.js";

/**
 * The case file's `report` section: what the HTML report draws. Every option has a default and
 * a one-line doc, like the other stages' sections.
 */
import { z } from "zod";
import { sectionInputError } from "../sectionError.js";

export const reportConfigSchema = z
  .object({
    isodoseGy: z
      .array(z.number().gt(0).max(10000))
      .min(1)
      .max(8)
      .nullable()
      .default(null)
      .describe("Isodose lines on the dose maps, Gy (1–8 levels); null = the product's clinical levels (EANM 2022: normal-liver limit and tumour target)."),
  })
  .strict();

export type ReportConfig = z.infer<typeof reportConfigSchema>;

/** Validate the `report` section (undefined → defaults). */
export function parseReportConfig(input: unknown): ReportConfig {
  const result = reportConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (result.success) return result.data;
  throw sectionInputError("report", result.error);
}

/**
 * The case file's `report` section: what the HTML report draws. Every option has a default and
 * a one-line doc, like the other stages' sections.
 */
import { z } from "zod";
import { sectionInputError } from "../sectionError.js";

/** Isodose lines: how many, and the highest level, Gy (the schema's and `--isodose`'s bounds). */
export const ISODOSE_LIMITS = { minLevels: 1, maxLevels: 8, maxGy: 10000 } as const;

export const reportConfigSchema = z
  .object({
    isodoseGy: z
      .array(z.number().gt(0).max(ISODOSE_LIMITS.maxGy))
      .min(ISODOSE_LIMITS.minLevels)
      .max(ISODOSE_LIMITS.maxLevels)
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

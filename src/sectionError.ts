/**
 * The InputError for the first issue zod found in a case-file section, naming the field by its
 * dotted path (`tree.murrayExponent: Too big: expected number to be <=4, got 5`). Shared by the
 * stages that validate their own sections (vascular, transport, dose).
 */
import type { z } from "zod";
import { InputError } from "./errors.js";

export function sectionInputError(section: string, error: z.ZodError): InputError {
  const issue = error.issues[0];
  const path = [section, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))].join(".").replace(/\.\[/g, "[");
  const got = (issue as { input?: unknown }).input;
  const suffix = got !== undefined && typeof got !== "object" && !issue.message.includes("got") ? `, got ${JSON.stringify(got)}` : "";
  return new InputError(path, `${path}: ${issue.message}${suffix}`);
}

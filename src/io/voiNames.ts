/**
 * VOI names of a label map (NIfTI name table, RTSTRUCT ROI names, SEG segment labels) as the
 * commands use them: each a row of metrics.json, a column of dvh.csv and a key of `--tissue`,
 * `--target` and `--limit`. Two VOIs with one name, an empty name or the name of the row `dose`
 * gives an image without labels (`activity`) would make two rows that cannot be told apart (two
 * "liver" VOIs), so they are refused, as case files refuse reserved and repeated tumour names
 * (src/pipeline/validateCase.ts checkTumourNames).
 */
import { InputError } from "../errors.js";

/** Names the label maps of `dose` and `plan-images` must not use: `dose`'s own VOI of an image without labels. */
export const RESERVED_LABEL_NAMES: readonly string[] = Object.freeze(["activity"]);

/**
 * Refuse empty, reserved and repeated VOI names (case-insensitive: "Liver" and "liver" are one
 * VOI to a reader and to voiRole). `where` names the file(s) the names came from.
 */
export function checkVoiNames(names: Readonly<Record<number, string>>, field: string, where: string): void {
  const problems: string[] = [];
  const seen = new Map<string, number[]>();
  for (const [key, name] of Object.entries(names)) {
    const label = Number(key);
    const n = name.trim();
    if (n === "") problems.push(`label ${label} has an empty name`);
    else if (RESERVED_LABEL_NAMES.includes(n.toLowerCase())) problems.push(`label ${label} is named "${name}", reserved for dose's VOI of an image without labels`);
    else seen.set(n.toLowerCase(), [...(seen.get(n.toLowerCase()) ?? []), label]);
  }
  for (const [, labels] of seen) {
    if (labels.length > 1) problems.push(`labels ${labels.join(", ")} share the name "${names[labels[0]]}"`);
  }
  if (problems.length > 0) throw new InputError(field, `${field} ${where}: ${problems.join("; ")}: each VOI needs its own non-empty name (it is a row of the metrics and a column of dvh.csv)`);
}

/** Where a label map's names come from, for messages: the file, and its name table for a NIfTI. */
export function labelNamesSource(labelsPath: string, namesPath: string | undefined): string {
  if (!/\.nii(\.gz)?$/i.test(labelsPath)) return labelsPath;
  return `${labelsPath} (names from ${namesPath ?? labelsPath.replace(/\.nii(\.gz)?$/i, ".json")})`;
}

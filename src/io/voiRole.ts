/**
 * What a VOI is, from its name, and which VOI keeps a voxel that two structures both contain.
 *
 * Structure sets (RTSTRUCT, SEG) routinely hold a whole-liver contour and the tumours inside it,
 * in any order. A physicist reads that as "normal liver = liver minus tumours": the tumours take
 * precedence over the liver whatever the order of the file (MIM SurePlan and Simplicit90Y: each
 * contour is assigned a role and the normal liver is the liver minus the tumours). Lungs and liver
 * should not overlap; where their contours cross the diaphragm the liver keeps the voxels (the
 * liver dome's counts blurred into the lung bases are the known bias of SPECT lung shunts, and
 * the synthetic patient's truth, fixtures/patient/make_patient.py label_map, paints the liver over
 * the lungs) and a warning names both. Structures of unknown role (BODY, a couch, a liver segment)
 * lie under all of them. docs/io.md "Overlapping structures".
 */

import { TUMOUR_VOI_NAME } from "../dose/radiobiology.js";

export type VoiRole = "lung" | "tumour" | "normal" | "other";

/**
 * The role a VOI's name implies (the convention the image commands document): "lung…" → lung,
 * "tumour/tumor/lesion/GTV/HCC/metastasis/mets…" → tumour, "liver…" → normal liver, else other.
 * Lung first, then tumour (TUMOUR_VOI_NAME, shared with src/dose/radiobiology.ts tissueOfVoiName).
 */
export function voiRole(name: string): VoiRole {
  if (/lung/i.test(name)) return "lung";
  if (TUMOUR_VOI_NAME.test(name)) return "tumour";
  if (/liver/i.test(name)) return "normal";
  return "other";
}

/** Painting rank of a role: a voxel in two structures goes to the higher rank (ties: the later in the file). */
const PRECEDENCE: Readonly<Record<VoiRole, number>> = { other: 0, lung: 1, normal: 2, tumour: 3 };

/**
 * The order in which to paint structures named `names` (indices into it): by rank of role
 * (other, lung, liver, tumour), file order within a rank, so the later painted wins.
 */
export function paintOrder(names: readonly string[]): number[] {
  return names.map((_, i) => i).sort((a, b) => PRECEDENCE[voiRole(names[a])] - PRECEDENCE[voiRole(names[b])] || a - b);
}

/**
 * True when painting `winner` over `loser` is worth a warning: two tumours sharing voxels, a
 * lung sharing voxels with the liver or a tumour, or two liver structures. A tumour inside the liver, or anything over a
 * VOI of unknown role, is the expected nesting and says nothing.
 */
export function overlapNeedsWarning(winner: string, loser: string): boolean {
  const l = voiRole(loser);
  const w = voiRole(winner);
  // Two liver structures (the liver and a segment drawn inside it, "Liver_S8"): the shared voxels
  // leave the one painted first, which changes its mass: said, not done silently.
  return ((l === "tumour" || l === "lung") && w !== "other") || (l === "normal" && w === "normal");
}

/** An overlap of two structures on the grid they were drawn on: `kept` holds the `voxels` both contain. */
export interface VoiOverlap {
  readonly kept: string;
  readonly lost: string;
  readonly voxels: number;
}

/**
 * The VOIs of a name table by role: lungs, liver (normal liver and tumours) and the VOIs whose
 * role the commands do not know ("other": BODY, a couch, a liver segment named "S8"). The unknown
 * ones take no part in planning, the lung shunt or the liver counts (as in MIM SurePlan and
 * Simplicit90Y, where a contour counts only once it is given a role); the commands say which.
 */
export function voisByRole(names: Readonly<Record<number, string>>): { lung: number[]; liver: number[]; other: number[] } {
  const out = { lung: [] as number[], liver: [] as number[], other: [] as number[] };
  for (const l of Object.keys(names).map(Number).sort((a, b) => a - b)) {
    const role = voiRole(names[l]);
    (role === "lung" ? out.lung : role === "other" ? out.other : out.liver).push(l);
  }
  return out;
}

/** The warning for VOIs left out of planning: their names and what to call them instead. */
export function unrecognisedVoiWarning(field: string, names: readonly string[], what: string): string {
  return `${field}: VOI${names.length > 1 ? "s" : ""} ${names.map((n) => JSON.stringify(n)).join(", ")} ${names.length > 1 ? "are" : "is"} neither liver, tumour nor lung by name (docs/io.md): left out of ${what}; rename ${names.length > 1 ? "them" : "it"} (e.g. "tumour_3", "liver") to include ${names.length > 1 ? "them" : "it"}`;
}

/**
 * `--lq TISSUE.FIELD=VALUE` (sirtsim dose, sirtsim simulate): an LQ parameter of a tissue type
 * (alphaBetaGy, repairHalfTimeH, alphaPerGy: src/dose/radiobiology.ts) or an outcome parameter
 * (tumour.tcp.eud50Gy, tumour.tcp.gamma50, normalLiver.ntcp.td50BedGy, normalLiver.ntcp.m,
 * normalLiver.ntcp.n: src/dose/outcome.ts) — the case file's `dose.radiobiology` fields.
 */
import { InputError } from "../errors.js";
import { parseTissueType, TISSUE_TYPES, type TissueType } from "../dose/radiobiology.js";
import { parseNumberOption } from "./commands/kernel.js";

export interface LqSpec {
  readonly tissue: TissueType;
  /** The outcome model the field belongs to, or null for an LQ parameter. */
  readonly group: "tcp" | "ntcp" | null;
  readonly field: string;
  readonly value: number;
}

export const LQ_OPTION_HELP =
  "LQ or outcome parameter of a tissue type (the case's dose.radiobiology), e.g. tumour.alphaBetaGy=8: alphaBetaGy, repairHalfTimeH, alphaPerGy; tumour.tcp.eud50Gy, tumour.tcp.gamma50; normalLiver.ntcp.td50BedGy, normalLiver.ntcp.m, normalLiver.ntcp.n; repeatable";

/** Parse one `--lq` spec; InputError naming `--lq` otherwise. */
export function parseLqSpec(spec: string): LqSpec {
  const m = /^([A-Za-z]+)\.(alphaBetaGy|repairHalfTimeH|alphaPerGy|tcp\.eud50Gy|tcp\.gamma50|ntcp\.td50BedGy|ntcp\.m|ntcp\.n)=(.*)$/.exec(spec);
  if (!m)
    throw new InputError(
      "--lq",
      `--lq must be TISSUE.FIELD=VALUE with TISSUE one of ${TISSUE_TYPES.join(", ")} and FIELD one of alphaBetaGy, repairHalfTimeH, alphaPerGy (tumour also tcp.eud50Gy, tcp.gamma50; normalLiver also ntcp.td50BedGy, ntcp.m, ntcp.n), got ${JSON.stringify(spec)}`,
    );
  const tissue = parseTissueType("--lq", m[1]);
  if (!m[2].includes(".")) {
    const field = m[2];
    return { tissue, group: null, field, value: parseNumberOption(`--lq ${tissue}.${field}`, m[3], Number.MIN_VALUE, field === "alphaPerGy" ? 10 : 1000) };
  }
  const [group, field] = m[2].split(".") as ["tcp" | "ntcp", string];
  // TCP is a tumour model and NTCP the normal liver's (outcome.ts): no other tissue has one.
  const owner: TissueType = group === "tcp" ? "tumour" : "normalLiver";
  if (tissue !== owner) throw new InputError("--lq", `--lq ${spec}: ${group} applies to ${owner} only`);
  const max = field === "gamma50" || field === "m" || field === "n" ? (field === "gamma50" ? 100 : 10) : 1e4;
  return { tissue, group, field, value: parseNumberOption(`--lq ${tissue}.${group}.${field}`, m[3], Number.MIN_VALUE, max) };
}

/** A case JSON with the `--lq` specs written into `dose.radiobiology` (a copy); the case schema fills the rest. */
export function withLqSpecs(caseJson: Record<string, unknown>, specs: readonly string[]): Record<string, unknown> {
  if (specs.length === 0) return caseJson;
  const out = structuredClone(caseJson);
  const dose = (out.dose ??= {}) as Record<string, unknown>;
  const radiobiology = (dose.radiobiology ??= {}) as Record<string, Record<string, unknown>>;
  for (const spec of specs.map(parseLqSpec)) {
    const tissue = (radiobiology[spec.tissue] ??= {});
    if (spec.group === null) tissue[spec.field] = spec.value;
    else tissue[spec.group] = { ...((tissue[spec.group] as Record<string, unknown> | null | undefined) ?? {}), [spec.field]: spec.value };
  }
  return out;
}

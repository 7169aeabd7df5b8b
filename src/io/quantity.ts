/**
 * Physical quantities in user input: a number in the field's own unit, or a string with a unit
 * ("3.2 GBq", "20 mCi", "1600 mL", "175 cm", "1.8 kg", "96 h", "8 %"), converted with mathjs
 * units. Used at the boundary only (case files, CLI options), never in computations.
 *
 * mathjs has no becquerel, curie or gray: they are defined here on a private mathjs instance
 * (Bq and Gy as new base dimensions so that "3 Hz" is not an activity, nor "3 J/kg" a dose).
 */
import { createRequire } from "node:module";
import type { MathJsInstance, Unit } from "mathjs";
import { InputError } from "../errors.js";

export type QuantityKind = "activity" | "mass" | "volume" | "length" | "dose" | "time" | "density" | "fraction" | "doseCoefficient" | "area" | "ratio";

interface KindSpec {
  /** The field's unit (what a bare number means). */
  readonly unit: string;
  /** What the unit measures, for messages. */
  readonly noun: string;
  /** Example units for messages. */
  readonly examples: string;
}

export const QUANTITY_KINDS: Readonly<Record<QuantityKind, KindSpec>> = Object.freeze({
  activity: { unit: "GBq", noun: "an activity", examples: "GBq, MBq, mCi" },
  mass: { unit: "kg", noun: "a mass", examples: "kg, g" },
  volume: { unit: "mL", noun: "a volume", examples: "mL, L, cm^3" },
  length: { unit: "cm", noun: "a length", examples: "cm, m, inch" },
  dose: { unit: "Gy", noun: "an absorbed dose", examples: "Gy, cGy" },
  time: { unit: "h", noun: "a time", examples: "h, min, days" },
  density: { unit: "g/mL", noun: "a density", examples: "g/mL, kg/L" },
  fraction: { unit: "", noun: "a fraction", examples: "0.08 or \"8 %\"" },
  doseCoefficient: { unit: "Gy kg / GBq", noun: "a dose coefficient", examples: "Gy kg / GBq" },
  area: { unit: "m^2", noun: "an area", examples: "m^2" },
  ratio: { unit: "", noun: "a ratio", examples: "a plain number" },
});

let instance: MathJsInstance | undefined;

/**
 * The private mathjs instance with Bq, Ci and Gy. mathjs is loaded on the first string with a unit
 * (loading it takes ~1 s on these machines), so commands and case files that use plain numbers
 * never pay for it.
 */
function units(): MathJsInstance {
  if (instance === undefined) {
    const { all, create } = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
    const math = create(all);
    math.createUnit("Bq", { baseName: "radioactivity", prefixes: "short" });
    // 1 Ci = 3.7e10 Bq exactly (definition of the curie).
    math.createUnit("Ci", { definition: "3.7e10 Bq", prefixes: "short" });
    math.createUnit("Gy", { baseName: "absorbed_dose", prefixes: "short" });
    instance = math;
  }
  return instance;
}

/** Outcome of parsing a string quantity: the number in the field's unit, or what went wrong. */
export type QuantityParse = { ok: true; value: number } | { ok: false; reason: string };

const NUMBER_ONLY = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const PERCENT = /^\s*([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*%\s*$/;

/** Parse `text` as a quantity of `kind`, returned in the kind's unit. */
export function parseQuantity(text: string, kind: QuantityKind): QuantityParse {
  const spec = QUANTITY_KINDS[kind];
  if (NUMBER_ONLY.test(text)) return { ok: true, value: Number(text) };
  if (kind === "fraction") {
    const m = PERCENT.exec(text);
    if (m) return { ok: true, value: Number(m[1]) / 100 };
    return { ok: false, reason: `must be ${spec.noun} (${spec.examples}), got ${JSON.stringify(text)}` };
  }
  if (spec.unit === "") return { ok: false, reason: `must be ${spec.noun} (${spec.examples}), got ${JSON.stringify(text)}` };
  const math = units();
  let u: Unit;
  try {
    u = math.unit(text);
  } catch {
    return { ok: false, reason: `must be ${spec.noun} with a unit (${spec.examples}), got ${JSON.stringify(text)}` };
  }
  const reference = math.unit(`1 ${spec.unit}`);
  if (!u.equalBase(reference)) {
    return { ok: false, reason: `must be ${spec.noun} (${spec.examples}), got ${JSON.stringify(text)}` };
  }
  const value = u.toNumber(spec.unit);
  // Unit conversion leaves round-off (1600 mL → 1599.9999999999998): keep 14 significant digits.
  return { ok: true, value: Number(value.toPrecision(14)) };
}

/**
 * A command-line option holding a length in millimetres ("2", "2 mm", "0.2 cm"): a bare number is
 * in mm (the option's unit, not the length kind's cm), checked against [min, max] mm.
 */
export function parseMillimetreOption(name: string, text: string, min: number, max: number): number {
  const parsed = parseQuantity(text, "length");
  if (!parsed.ok) throw new InputError(name, `${name} ${parsed.reason.replace("(cm, m, inch)", "(mm, cm)")}`);
  const mm = NUMBER_ONLY.test(text) ? parsed.value : Number((parsed.value * 10).toPrecision(14));
  if (!Number.isFinite(mm) || mm < min || mm > max) {
    throw new InputError(name, `${name} must be a number in [${min}, ${max}] mm, got ${NUMBER_ONLY.test(text) ? JSON.stringify(text) : `${JSON.stringify(text)} = ${mm} mm`}`);
  }
  return mm;
}

/**
 * A command-line option holding a quantity, parsed as in case files ("1.5 GBq", "3 %", or a bare
 * number in the kind's unit) and checked against [min, max]: the number, or an InputError naming
 * the option.
 */
export function parseQuantityOption(name: string, text: string, kind: QuantityKind, min: number, max: number): number {
  const spec = QUANTITY_KINDS[kind];
  const unitText = spec.unit === "" ? "" : ` ${spec.unit}`;
  const parsed = parseQuantity(text, kind);
  if (!parsed.ok) throw new InputError(name, `${name} ${parsed.reason}`);
  if (!Number.isFinite(parsed.value) || parsed.value < min || parsed.value > max) {
    const shown = NUMBER_ONLY.test(text) ? JSON.stringify(text) : `${JSON.stringify(text)} = ${parsed.value}${unitText}`;
    throw new InputError(name, `${name} must be ${spec.noun} in [${min}, ${max}]${unitText}, got ${shown}`);
  }
  return parsed.value;
}

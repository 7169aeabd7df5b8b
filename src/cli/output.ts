import { InputError } from "../errors.js";
import { TERMINALS_RANGE } from "../vascular/grow.js";
import { TERMINALS_ACCEPTED } from "../vascular/config.js";

/**
 * How commands talk to the user: with `--json`, exactly one JSON document on stdout; human text,
 * progress and warnings on stderr (DESIGN.md contract).
 */

/** Print the one JSON document of a `--json` run. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Human-readable text: stdout without `--json`, never mixed into the JSON document. */
export function printText(text: string, json: boolean): void {
  (json ? process.stderr : process.stdout).write(text.endsWith("\n") ? text : `${text}\n`);
}

/** `--terminals`: "auto" (the case's liver over the resolution study's tissue per terminal, tree.terminals) or an integer in TERMINALS_RANGE. */
export function parseTerminalsOption(value: string): number | "auto" {
  if (value.trim() === "auto") return "auto";
  try {
    return parseIntegerOption("--terminals", value, TERMINALS_RANGE.min, TERMINALS_RANGE.max);
  } catch {
    throw new InputError("--terminals", `--terminals ${TERMINALS_ACCEPTED}, got ${JSON.stringify(value)}`);
  }
}

/** Parse an integer option, naming it in the error. */
export function parseIntegerOption(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, `${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return n;
}

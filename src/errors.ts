/**
 * Error classes shared by every layer. The CLI maps them to exit codes (DESIGN.md):
 * InputError → 2 (the user's input is invalid; the message names the field and the allowed range),
 * anything else → 1 (an internal failure).
 */

/** Invalid user input: a case-file field, a CLI option, an input file. */
export class InputError extends Error {
  /** Dotted path of the offending field or the file name, e.g. `compartments[1].massKg`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message.startsWith(field) ? message : `${field}: ${message}`);
    this.name = "InputError";
    this.field = field;
  }
}

/** A failure inside a work unit (a worker task), naming the unit. */
export class WorkUnitError extends Error {
  readonly unit: string;

  constructor(unit: string, cause: unknown) {
    super(`work unit ${unit} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "WorkUnitError";
    this.unit = unit;
    if (cause instanceof Error) this.stack = cause.stack;
  }
}

/** Throw an InputError unless `value` is a finite number in [min, max] (or (min, max) when open). */
export function checkRange(
  field: string,
  value: number,
  min: number,
  max: number,
  { minOpen = false, maxOpen = false }: { minOpen?: boolean; maxOpen?: boolean } = {},
): number {
  const lowOk = minOpen ? value > min : value >= min;
  const highOk = maxOpen ? value < max : value <= max;
  if (!Number.isFinite(value) || !lowOk || !highOk) {
    const range = `${minOpen ? "(" : "["}${min}, ${max}${maxOpen ? ")" : "]"}`;
    throw new InputError(field, `${field} must be in ${range}, got ${value}`);
  }
  return value;
}

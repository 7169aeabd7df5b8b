/**
 * DICOM decimal strings (VR DS, PS3.5 §6.2): at most 16 characters of `0-9 + - E e .`.
 *
 * We format every DS ourselves because dcmjs 0.51 cuts longer strings at 16 characters without
 * rounding and without keeping the exponent: a dose grid scaling of 2.3372123456789012e-8 is
 * written as "2.33721234567890" — 10⁸ times too large (DESIGN.md). The number written here is the
 * closest one that fits: JavaScript's shortest round-trip form when it fits (exact), otherwise the
 * correctly rounded (toPrecision/toExponential) form with the most significant digits that fits.
 *
 * "Fits" also means that Python's repr of the number fits in 16 characters: pydicom (in its
 * strict validation mode, and with a warning otherwise) measures `repr(float(value))`, which pads
 * the exponent to two digits ("2.33721234568e-08" is 17), so we keep one digit in reserve there.
 */

const MAX_DS_LENGTH = 16;

/** Drop the "+" and leading zeros of an exponent and trailing zeros of the mantissa. */
function compact(s: string): string {
  const e = s.search(/e/i);
  let mantissa = e < 0 ? s : s.slice(0, e);
  let exponent = e < 0 ? "" : s.slice(e + 1);
  if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
  if (exponent) {
    const sign = exponent.startsWith("-") ? "-" : "";
    exponent = exponent.replace(/^[+-]/, "").replace(/^0+(?=\d)/, "");
    return exponent === "0" ? mantissa : `${mantissa}e${sign}${exponent}`;
  }
  return mantissa;
}

/** Length of Python's repr() of the double `x` (shortest round-trip digits, Python's layout). */
export function pythonReprLength(x: number): number {
  if (x === 0) return Object.is(x, -0) ? 4 : 3; // "0.0"
  const [mantissa, expText] = Math.abs(x).toExponential().split("e");
  const exponent = Number(expText);
  const digits = mantissa.replace(".", "");
  const sign = x < 0 ? 1 : 0;
  if (exponent >= -4 && exponent < 16) {
    // Fixed notation, with ".0" for integral values (repr(100.0) == "100.0").
    if (exponent >= digits.length - 1) return sign + exponent + 1 + 2;
    if (exponent >= 0) return sign + digits.length + 1;
    return sign + 2 + (-exponent - 1) + digits.length;
  }
  // Scientific: mantissa as is ("1e-08", "2.5e+20"), exponent sign and at least two digits.
  return sign + mantissa.length + 2 + Math.max(2, String(Math.abs(exponent)).length);
}

/**
 * Format a finite number as a DICOM DS value of at most 16 characters, correctly rounded.
 * Throws a RangeError for NaN or ±Infinity (DS cannot represent them).
 */
export function formatDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`a DICOM decimal string cannot hold ${value}`);
  if (Object.is(value, -0)) value = 0;
  const dicomOk = (text: string) => text.length <= MAX_DS_LENGTH && Number.isFinite(Number(text));
  const pythonOk = (text: string) => dicomOk(text) && pythonReprLength(Number(text)) <= MAX_DS_LENGTH;
  const shortest = compact(String(value));
  if (pythonOk(shortest)) return shortest;
  // The most significant digits DICOM allows; then the same or one digit fewer if that makes
  // Python's repr fit too (never more: from ~1e13 to 1e16 Python's fixed notation cannot fit).
  let best: { text: string; digits: number } | undefined;
  if (dicomOk(shortest)) best = { text: shortest, digits: significantDigits(shortest) };
  for (let digits = 16; digits >= 1 && !best; digits--) {
    const text = candidate(value, digits, dicomOk);
    // Count the digits of the text: compact() may have dropped trailing zeros.
    if (text) best = { text, digits: significantDigits(text) };
  }
  if (best) {
    for (let digits = Math.min(16, best.digits); digits >= Math.max(1, best.digits - 1); digits--) {
      const text = candidate(value, digits, pythonOk);
      if (text) return text;
    }
    return best.text;
  }
  // Unreachable for finite doubles: "-1e-308" is 7 characters.
  throw new RangeError(`cannot format ${value} as a DICOM decimal string`);
}

/** Significant digits of a decimal string ("-0.00120e5" → 3). */
function significantDigits(text: string): number {
  const mantissa = text.replace(/e.*$/i, "").replace(/[-+.]/g, "").replace(/^0+/, "");
  return Math.max(1, mantissa.length);
}

/** The shorter of the toPrecision / toExponential forms with `digits` significant digits that passes `ok`. */
function candidate(value: number, digits: number, ok: (text: string) => boolean): string | undefined {
  const fixedOrExp = compact(value.toPrecision(digits));
  const exp = compact(value.toExponential(digits - 1));
  const [first, second] = fixedOrExp.length <= exp.length ? [fixedOrExp, exp] : [exp, fixedOrExp];
  // Rounding up near ±Number.MAX_VALUE can overflow to ±Infinity when read back: `ok` rejects it.
  return ok(first) ? first : ok(second) ? second : undefined;
}

/** Format a list of numbers as DS values. */
export function formatDecimalStrings(values: readonly number[]): string[] {
  return values.map(formatDecimalString);
}

/**
 * DICOM decimal strings (VR DS, PS3.5 §6.2): at most 16 characters of `0-9 + - E e .`.
 *
 * We format every DS ourselves because dcmjs 0.51 cuts longer strings at 16 characters without
 * rounding and without keeping the exponent: a dose grid scaling of 2.3372123456789012e-8 is
 * written as "2.33721234567890" — 10⁸ times too large (DESIGN.md). The number written here is the
 * closest one that fits: JavaScript's shortest round-trip form when it fits (exact), otherwise the
 * correctly rounded (toPrecision/toExponential) form with the most significant digits that fits.
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

/**
 * Format a finite number as a DICOM DS value of at most 16 characters, correctly rounded.
 * Throws a RangeError for NaN or ±Infinity (DS cannot represent them).
 */
export function formatDecimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`a DICOM decimal string cannot hold ${value}`);
  if (Object.is(value, -0)) value = 0;
  const shortest = compact(String(value));
  if (shortest.length <= MAX_DS_LENGTH) return shortest;
  for (let digits = 16; digits >= 1; digits--) {
    const fixedOrExp = compact(value.toPrecision(digits));
    const exp = compact(value.toExponential(digits - 1));
    const best = fixedOrExp.length <= exp.length ? fixedOrExp : exp;
    // Rounding up near ±Number.MAX_VALUE can overflow to ±Infinity when read back: use fewer digits.
    if (best.length <= MAX_DS_LENGTH && Number.isFinite(Number(best))) return best;
  }
  // Unreachable for finite doubles: "-1e-308" is 7 characters.
  throw new RangeError(`cannot format ${value} as a DICOM decimal string`);
}

/** Format a list of numbers as DS values. */
export function formatDecimalStrings(values: readonly number[]): string[] {
  return values.map(formatDecimalString);
}

/**
 * One number format for everything the report and the terminal show: 3 significant digits for
 * measured quantities (doses, volumes, activities: Monte Carlo and voxelisation make a 4th digit
 * noise), integers in full with thousands separators (sphere counts, terminals), an exponent only
 * outside [0.001, 1e6).
 */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  if (Number.isInteger(x) && Math.abs(x) >= 1000 && Math.abs(x) < 1e15) return x.toLocaleString("en");
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1);
}

/**
 * An activity to order, dispense or deliver: GBq to 3 decimals (1 MBq), as the terminal prints it,
 * not to 3 significant digits — "2 GBq" for 1.998 reads as a round figure on a dispensing sheet.
 */
export function formatActivityGBq(x: number): string {
  return `${x.toFixed(3)} GBq`;
}

/** A quantity with its unit: "1.98 GBq". */
export function formatQuantity(x: number | null | undefined, unit: string, digits = 3): string {
  const text = formatNumber(x, digits);
  return text === "–" ? text : `${text} ${unit}`;
}

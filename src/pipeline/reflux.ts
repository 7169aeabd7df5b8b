/**
 * Reflux to the non-target branch, as every output states it: a warning above
 * REFLUX_WARNING_FRACTION, in the terminal text, in `--json`, in summary.json and transport.json
 * (issue 15.2: a warning that only stderr carries is lost to a script reading the JSON).
 */

/** Reflux share above which the outputs warn (non-target embolisation of a few % is already seen clinically). */
export const REFLUX_WARNING_FRACTION = 0.05;

const pct = (f: number) => `${(100 * f).toFixed(1)} %`;

/** The warning of a reflux share (fraction of the spheres injected), or null at or below the threshold. */
export function refluxWarning(fraction: number): string | null {
  if (!(fraction > REFLUX_WARNING_FRACTION)) return null;
  return `${pct(fraction)} of the activity refluxed to the non-target branch (above ${pct(REFLUX_WARNING_FRACTION)}): check transport.embolic (capacity) and the injection site`;
}

/**
 * Lung shunting. Two models, which may be combined:
 * - a whole-injection lung shunt fraction (LSF, from Tc-99m MAA planar imaging in the case file):
 *   each sphere independently passes to the lungs with probability LSF before it enters the tree;
 * - intratumoral arteriovenous shunting: a sphere that reaches a terminal of tumour k passes to the
 *   lungs with probability shunt_k instead of lodging.
 */
import { InputError } from "../errors.js";

/** Per-compartment shunt fractions (index 0 = normal liver, always 0 unless given). */
export function compartmentShuntFractions(
  compartmentNames: readonly string[],
  byName: Readonly<Record<string, number>>,
): Float64Array {
  const out = new Float64Array(compartmentNames.length);
  for (const [name, fraction] of Object.entries(byName)) {
    const k = compartmentNames.indexOf(name);
    if (k < 0) {
      throw new InputError(`transport.tumourShuntFractions.${name}`, `transport.tumourShuntFractions.${name}: no compartment named "${name}" (known: ${compartmentNames.join(", ")})`);
    }
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new InputError(`transport.tumourShuntFractions.${name}`, `transport.tumourShuntFractions.${name} must be in [0, 1], got ${fraction}`);
    }
    out[k] = fraction;
  }
  return out;
}

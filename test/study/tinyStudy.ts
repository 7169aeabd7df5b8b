/**
 * A tiny study for the tests: the two-tumour test case at 1,000 terminals, 8 mm dose voxels and a
 * 2 Gy target (about a million spheres), varying the lung shunt (which leaves the tree alone, so
 * every cell shares one tree).
 */
import { smallCase } from "../pipeline/smallCase.js";

export function tinyCase(): Record<string, unknown> {
  return smallCase({ tree: { terminals: 1000, seed: 3 }, target: { compartment: "normal", doseGy: 2 }, dose: { voxelMm: 8 } });
}

export function tinyStudy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "test: lung shunt sweep",
    case: tinyCase(),
    vary: [{ path: "lungShuntFraction", values: [0.05, 0.1] }],
    replicas: { trees: 1, seeds: 2 },
    ...overrides,
  };
}

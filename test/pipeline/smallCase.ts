/** A small simulation case for tests: two tumours, 4,000 terminals, feedback off, 4 mm dose voxels. */
export function smallCase(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "test: two tumours",
    seed: 11,
    product: "sir-spheres",
    method: "partition",
    lungShuntFraction: 0.05,
    target: { compartment: "normal", doseGy: 40 },
    geometry: {
      tumours: [
        { name: "right", centerMm: [45, -10, 0], radiusMm: 20, tnRatio: 4 },
        { name: "left", centerMm: [-50, 10, 10], radiusMm: 14, tnRatio: 2, necroticCoreFraction: 0.5, rim: { thicknessFraction: 0.25, tnRatio: 6 } },
      ],
    },
    tree: { terminals: 4000, seed: 3 },
    injection: { entryPoint: "proper-hepatic" },
    // Flow-following (not the case-file default "fractal"): the partition-model checks assume it.
    transport: { embolic: { enabled: false }, heterogeneity: { model: "flow" } },
    dose: { voxelMm: 4 },
    ...overrides,
  };
}

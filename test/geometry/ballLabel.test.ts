import { describe, expect, it } from "vitest";
import { analyticDomain, ballLabel, labelAt, maskDomain } from "../../src/geometry/domain.js";
import { axisAlignedGeometry, type Mat3 } from "../../src/geometry/grid.js";
import { createStream } from "../../src/random/stream.js";

// A two-part liver, a rotated ellipsoidal tumour with a necrotic core, a spherical one overlapping
// it (the first one wins where they overlap) and a small one near the liver's surface.
const c = Math.cos(0.6);
const s = Math.sin(0.6);
const rotation: Mat3 = [c, -s, 0, s, c, 0, 0, 0, 1];
const domain = analyticDomain(
  {
    kind: "union",
    parts: [
      { kind: "ellipsoid", centerMm: [32, 0, 0], semiAxesMm: [63, 70, 60] },
      { kind: "ellipsoid", centerMm: [-36, 10, 10], semiAxesMm: [74, 56, 42], rotation },
    ],
  },
  [
    { name: "T1", tnRatio: 4, shape: { kind: "ellipsoid", centerMm: [20, 5, 0], semiAxesMm: [25, 15, 18], rotation }, necroticCoreFraction: 0.4 },
    { name: "T2", tnRatio: 3, shape: { kind: "sphere", centerMm: [45, -10, 0], radiusMm: 12 } },
    { name: "T3", tnRatio: 2, shape: { kind: "sphere", centerMm: [-36 - 60 * c, 10 - 60 * s, 10], radiusMm: 6 } },
  ],
);

describe("ballLabel(domain, centre, radius)", () => {
  it("returns a label only when labelAt gives it at every point of the ball (centre, surface and inside), and decides most balls", () => {
    const rng = createStream(11, 0);
    const b = domain.boundsMm;
    const decided = new Map<number, number>();
    let balls = 0;
    let undecided = 0;
    const around = [
      [20, 5, 0, 40],
      [45, -10, 0, 20],
      [-36 - 60 * c, 10 - 60 * s, 10, 10],
    ];
    for (let n = 0; n < 9000; n++) {
      // Every other ball near a tumour (they are small), the rest anywhere around the liver.
      const t = n % 2 === 0 ? around[(n >> 1) % 3] : null;
      const x = t ? t[0] + t[3] * (2 * rng.nextFloat() - 1) : b.minMm[0] - 10 + rng.nextFloat() * (b.maxMm[0] - b.minMm[0] + 20);
      const y = t ? t[1] + t[3] * (2 * rng.nextFloat() - 1) : b.minMm[1] - 10 + rng.nextFloat() * (b.maxMm[1] - b.minMm[1] + 20);
      const z = t ? t[2] + t[3] * (2 * rng.nextFloat() - 1) : b.minMm[2] - 10 + rng.nextFloat() * (b.maxMm[2] - b.minMm[2] + 20);
      const r = 0.05 * Math.pow(400, rng.nextFloat()); // 0.05–20 mm
      const label = ballLabel(domain, x, y, z, r);
      balls++;
      if (label < 0) {
        undecided++;
        continue;
      }
      decided.set(label, (decided.get(label) ?? 0) + 1);
      for (let k = 0; k < 16; k++) {
        // Directions uniform on the sphere; points on the surface (k even) or inside.
        let u: number, v: number, w: number, q: number;
        do {
          u = 2 * rng.nextFloat() - 1;
          v = 2 * rng.nextFloat() - 1;
          w = 2 * rng.nextFloat() - 1;
          q = Math.hypot(u, v, w);
        } while (q > 1 || q === 0);
        const d = (k % 2 === 0 ? r : r * rng.nextFloat()) / q;
        expect(labelAt(domain, x + d * u, y + d * v, z + d * w)).toBe(label);
      }
      expect(labelAt(domain, x, y, z)).toBe(label);
    }
    // Every kind of answer occurs: outside (0), normal liver (1), each tumour (2, 3, 4) and T1's core (5).
    for (const label of [0, 1, 2, 3, 4, 5]) expect(decided.get(label) ?? 0).toBeGreaterThan(0);
    // Balls up to 20 mm across a liver with three tumours: most are decided by the shapes alone.
    expect(undecided / balls).toBeLessThan(0.5);
  });

  it("leaves balls that straddle a boundary undecided", () => {
    expect(ballLabel(domain, 20 + 25 * c, 5 + 25 * s, 0, 0.5)).toBe(-1); // across T1's surface, at the end of its (rotated) long axis
    expect(ballLabel(domain, 20 + 10 * c, 5 + 10 * s, 0, 0.5)).toBe(-1); // across T1's necrotic core (0.4 of 25 mm)
    expect(ballLabel(domain, 45 + 12, -10, 0, 1)).toBe(-1); // across T2's surface
    expect(ballLabel(domain, 95, 0, 0, 2)).toBe(-1); // across the liver's surface (right lobe ends at x = 95)
    expect(ballLabel(domain, 0, -40, 0, 0.1)).toBe(1);
  });

  it("never decides a mask liver (labels come from voxels)", () => {
    const mask = maskDomain({ ...axisAlignedGeometry([2, 2, 2], [1, 1, 1], [0, 0, 0]), data: new Uint8Array(8).fill(1) });
    expect(ballLabel(mask, 0.5, 0.5, 0.5, 0.01)).toBe(-1);
  });
});

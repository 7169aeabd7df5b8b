import { describe, expect, it } from "vitest";
import { SIR_SPHERES, THERASPHERE } from "../../src/physics/products.js";
import { spherePopulation } from "../../src/transport/population.js";
import { parseTransportSections, transportOptionsFromSections } from "../../src/transport/config.js";
import { forEachLodgedSphereChunk, SEGMENTS_PER_STREAM } from "../../src/transport/positions.js";
import { clusterHistogram } from "../../src/transport/clusters.js";
import { simulateTransport } from "../../src/transport/simulate.js";
import { InputError } from "../../src/errors.js";
import { buildSyntheticTree } from "./helpers/syntheticTree.js";

describe("spherePopulation(product, activityGBq, hoursAfterCalibration)", () => {
  it("gives 44 million resin spheres for 3 GBq at calibration (Pasciak 2016)", () => {
    expect(spherePopulation(SIR_SPHERES, 3).sphereCount).toBe(44_000_000);
  });
  it("needs 2× the glass spheres one Y-90 half-life (64.1 h) after calibration", () => {
    const at0 = spherePopulation(THERASPHERE, 5).sphereCount;
    const later = spherePopulation(THERASPHERE, 5, 64.1).sphereCount;
    expect(Math.abs(later / at0 - 2)).toBeLessThan(1e-3);
  });
});

describe("parseTransportSections(json)", () => {
  it("fills every default", () => {
    const s = parseTransportSections({});
    expect(s.injection.product).toBe("sir-spheres");
    expect(s.transport.bias).toBe(0.5);
    expect(s.transport.embolic.capacitySpheres).toBeNull();
    expect(s.transport.embolic.plugLengthMm).toBe(1.24);
  });
  it("rejects an out-of-range option with an InputError naming the field", () => {
    expect(() => parseTransportSections({ transport: { bias: 1.2 } })).toThrow(InputError);
    expect(() => parseTransportSections({ transport: { bias: 1.2 } })).toThrow(/transport\.bias/);
    expect(() => parseTransportSections({ transport: { embolic: { capacitySpheres: -1 } } })).toThrow(/transport\.embolic\.capacitySpheres/);
    expect(() => parseTransportSections({ injection: { product: "foo" } })).toThrow(/injection\.product/);
  });
  it("maps onto simulateTransport options and rejects an unknown entry point", () => {
    const tree = buildSyntheticTree({ terminals: 16 });
    const s = parseTransportSections({ injection: { activityGBq: 1.5, lungShuntFraction: 0.1 } });
    const { options } = transportOptionsFromSections(tree, s, null);
    expect(options.spheres).toBe(22_000_000);
    expect(options.lungShuntFraction).toBe(0.1);
    expect(() => transportOptionsFromSections(tree, parseTransportSections({ injection: { entryPoint: "S9" } }), null)).toThrow(/injection\.entryPoint/);
  });
});

describe("forEachLodgedSphereChunk(tree, segmentLodged, seed, onChunk, chunkSpheres)", () => {
  const tree = buildSyntheticTree({ terminals: 200, territoryMl: 0.002 });
  const r = simulateTransport(tree, { spheres: 30_000 }, 2);

  it("places every lodged sphere once, inside its terminal's territory ball, independent of the chunk size", () => {
    const collect = (chunk: number) => {
      const xs: number[] = [];
      let maxChunk = 0;
      forEachLodgedSphereChunk(tree, r.segmentLodged, 5, (c) => {
        maxChunk = Math.max(maxChunk, c.count);
        for (let k = 0; k < c.count; k++) {
          const j = c.segment[k];
          const radius = Math.cbrt((3 * 2) / (4 * Math.PI)); // 0.002 mL = 2 mm³
          const d = Math.hypot(
            c.positionsMm[3 * k] - tree.distalMm[3 * j],
            c.positionsMm[3 * k + 1] - tree.distalMm[3 * j + 1],
            c.positionsMm[3 * k + 2] - tree.distalMm[3 * j + 2],
          );
          expect(d).toBeLessThanOrEqual(radius * (1 + 1e-12));
          xs.push(c.positionsMm[3 * k]);
        }
      }, chunk);
      expect(maxChunk).toBeLessThanOrEqual(chunk);
      return xs;
    };
    const a = collect(1000);
    const b = collect(7777);
    expect(a.length).toBe(30_000);
    expect(b).toEqual(a);
  });

  it("gives a range of whole stream blocks the positions of the whole scan, and rejects a range that starts inside a block", () => {
    const big = buildSyntheticTree({ terminals: 5000, territoryMl: 0.002 });
    const lodged = simulateTransport(big, { spheres: 60_000 }, 4).segmentLodged;
    const scan = (first?: number, end?: number) => {
      const out: number[] = [];
      forEachLodgedSphereChunk(big, lodged, 8, (c) => {
        for (let k = 0; k < c.count; k++) out.push(c.segment[k], c.positionsMm[3 * k], c.positionsMm[3 * k + 1], c.positionsMm[3 * k + 2]);
      }, 1000, null, first, end);
      return out;
    };
    const whole = scan();
    expect(big.segmentCount).toBeGreaterThan(2 * SEGMENTS_PER_STREAM);
    // Blocks 1 and 2 (to the end), then block 0 on its own: together the whole scan.
    const tail = scan(SEGMENTS_PER_STREAM);
    const head = scan(0, SEGMENTS_PER_STREAM);
    expect(head.length).toBeGreaterThan(0);
    expect(tail.length).toBeGreaterThan(0);
    expect([...head, ...tail]).toEqual(whole);
    expect(() => scan(SEGMENTS_PER_STREAM + 1)).toThrow(RangeError);
  });
});

describe("clusterHistogram(tree, lodged, distanceMm)", () => {
  it("counts each vessel's spheres as one cluster at distance 0 and merges connected vessels within the distance", () => {
    const tree = buildSyntheticTree({ terminals: 4, splitRange: [0.5, 0.5] });
    // Segments: 0 root, 1 (→ 2, 3), 4 (→ 5, 6). Terminals 2, 3, 5, 6.
    const lodged = new Float64Array(7);
    lodged[2] = 3;
    lodged[3] = 1;
    lodged[6] = 2;
    expect(clusterHistogram(tree, lodged, 0)).toEqual([[1, 1], [2, 1], [3, 1]]);
    // Far enough to merge siblings 2 and 3 (distal points ~2 lengths apart) but not across the root.
    expect(clusterHistogram(tree, lodged, 1e6)).toEqual([[2, 1], [4, 1]]);
  });
});

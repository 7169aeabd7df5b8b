/**
 * DVH bins adapted to the dose range (issue 15.6): any image gives a bounded dvh.csv. Unit tests
 * of the width rule, and the CLI on a point-like activity image (one hot voxel: ~1e6 Gy maximum),
 * which exited 1 with `Invalid string length` at fixed 1 Gy bins.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { writeNifti } from "../../src/io/nifti.js";
import { dvh, boundedDvhBinWidthGy, dvhDosePoints, MAX_DVH_POINTS } from "../../src/dose/dvh.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "dist/src/cli/main.js");
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-dvh-bins-"));
  const g = axisAlignedGeometry([16, 16, 16], [2, 2, 2]);
  const a = new Float32Array(16 ** 3);
  a[8 + 16 * (8 + 16 * 8)] = 1; // all the activity in one 8 µL voxel
  await writeNifti(join(dir, "point.nii.gz"), { ...g, data: a });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("boundedDvhBinWidthGy(maxDoseGy, requestedGy)", () => {
  it("keeps the requested width while the curve has at most MAX_DVH_POINTS points", () => {
    expect(boundedDvhBinWidthGy(150, 1)).toBe(1);
    expect(boundedDvhBinWidthGy(MAX_DVH_POINTS - 2, 1)).toBe(1);
  });

  it("widens to the next 1-2-5 width so that the curve never exceeds MAX_DVH_POINTS points", () => {
    for (const maxGy of [2500, 1e4, 3.3e5, 1e6, 7.7e8]) {
      const w = boundedDvhBinWidthGy(maxGy, 1);
      expect(Math.floor(maxGy / w) + 2).toBeLessThanOrEqual(MAX_DVH_POINTS);
      const mantissa = w / 10 ** Math.floor(Math.log10(w) + 1e-12);
      expect([1, 2, 5]).toContainEqual(Math.round(mantissa));
    }
  });

  it("dvhDosePoints on a 1e6 Gy hot voxel gives a bounded curve from 0 past the maximum", () => {
    const g = axisAlignedGeometry([2, 1, 1], [1, 1, 1]);
    const points = dvhDosePoints(dvh({ ...g, data: Float64Array.from([0.5, 1e6]) }), 1);
    expect(points.length).toBeLessThanOrEqual(MAX_DVH_POINTS);
    expect(points[0]).toBe(0);
    expect(points[points.length - 1]).toBeGreaterThanOrEqual(1e6);
  });
});

describe("sirtsim dose on a point-like activity image", () => {
  it("exits 0 and writes a bounded dvh.csv", () => {
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, [main, "dose", join(dir, "point.nii.gz"), "--out", out, "--administered-gbq", "2", "--method", "ldm", "--workers", "1", "--json"], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(join(out, "dvh.csv"), "utf8").trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(MAX_DVH_POINTS + 1);
  });
});

/** `sirtsim kernel` through the real CLI (node dist/src/cli/main.js; `npm test` builds first). */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runSirtsim } from "../helpers/cli.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

const sirtsim = (...args: string[]) => runSirtsim(args);

beforeAll(() => {
  if (!existsSync(join(root, "dist/src/cli/commands/kernel.js"))) {
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
    } catch {
      // Type errors elsewhere still emit JavaScript.
    }
  }
});

describe("sirtsim kernel (CLI)", () => {
  it("--json prints one document { nuclide, voxelMm, unit, octant } with a 6×6×6 octant and exits 0", () => {
    const r = sirtsim("kernel", "--nuclide", "Y-90", "--voxel-mm", "4.42", "--density-g-per-ml", "1.04", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { nuclide: string; voxelMm: number; unit: string; octant: number[][][]; absorbedMeV: number };
    expect(doc.nuclide).toBe("Y-90");
    expect(doc.voxelMm).toBe(4.42);
    expect(doc.unit).toBe("mGy/(MBq*s)");
    expect(doc.octant.length).toBe(6);
    expect(doc.octant[5][5].length).toBe(6);
    expect(doc.octant[0][0][0]).toBeGreaterThan(doc.octant[1][0][0]);
    expect(doc.octant[1][0][0]).toBe(doc.octant[0][1][0]);
    expect(doc.absorbedMeV).toBeCloseTo(0.9367, 4);
  });

  it("prints a readable table without --json", () => {
    const r = sirtsim("kernel", "--voxel-mm", "2", "--nuclide", "Ho-166", "--size", "2");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Ho-166 voxel S-values, voxel 2 x 2 x 2 mm");
    expect(r.stdout).toContain("k = 1");
  });

  it("exits 2 naming the option and its range for invalid input", () => {
    const big = sirtsim("kernel", "--voxel-mm", "40", "--json");
    expect(big.code).toBe(2);
    expect(big.stdout).toBe("");
    expect(big.stderr).toContain("--voxel-mm must be a number in [0.05, 10] mm");
    const nuclide = sirtsim("kernel", "--voxel-mm", "4", "--nuclide", "Tc-99m");
    expect(nuclide.code).toBe(2);
    expect(nuclide.stderr).toContain("--nuclide must be one of Y-90, Ho-166");
    const density = sirtsim("kernel", "--voxel-mm", "4", "--density-g-per-ml", "0");
    expect(density.code).toBe(2);
    expect(density.stderr).toContain("--density-g-per-ml must be a density in [0.01, 20] g/mL");
    expect(sirtsim("kernel").code).toBe(2);
  });
});

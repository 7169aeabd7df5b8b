/**
 * World frames: NIfTI is RAS+ (+x = patient Right, +y = Anterior, +z = Superior) and DICOM is
 * LPS+ (+x = Left, +y = Posterior, +z = Superior). The two differ by negating world x and y, which negates the first two rows of the direction matrix and
 * the first two components of the origin.
 */
import type { Mat3, Vec3 } from "../geometry/grid.js";

interface Oriented {
  readonly originMm: Vec3;
  readonly direction: Mat3;
  readonly frame: "RAS" | "LPS";
}

function flipXY(g: Oriented): { originMm: Vec3; direction: Mat3 } {
  const d = g.direction;
  return {
    originMm: [-g.originMm[0], -g.originMm[1], g.originMm[2]],
    direction: [-d[0], -d[1], -d[2], -d[3], -d[4], -d[5], d[6], d[7], d[8]],
  };
}

/** Origin and direction of `g` in RAS (copies). */
export function toRasGeometry(g: Oriented): { originMm: Vec3; direction: Mat3 } {
  return g.frame === "RAS" ? { originMm: [...g.originMm], direction: [...g.direction] } : flipXY(g);
}

/** Origin and direction of `g` in LPS (copies). */
export function toLpsGeometry(g: Oriented): { originMm: Vec3; direction: Mat3 } {
  return g.frame === "LPS" ? { originMm: [...g.originMm], direction: [...g.direction] } : flipXY(g);
}

/**
 * Counts of an emission image (MAA SPECT, PET) per VOI, computed once for every command that
 * needs them (`dose --lsf image`, `plan-images`, `simulate` on patient images), so the same images
 * give the same lung shunt and T/N everywhere.
 *
 * When the labels were resampled onto the image's grid (LabelInput.occupancy), each image voxel
 * counts for each VOI by the fraction of it inside the VOI (labelOccupancy): whole
 * nearest-neighbour voxels misstate a small tumour's volume on a 5 mm grid by up to ~8 %
 * (docs/io.md). The fractions of a voxel sum to ≤ 1, so no count is given to two VOIs. On the
 * labels' own grid each voxel belongs wholly to its label. Negative voxels count as 0 (clipped,
 * as `dose` clips them).
 */
import type { LabelInput } from "./imageInput.js";

export interface VoiCounts {
  /** Σ max(0, value) × occupancy per label. */
  readonly counts: ReadonlyMap<number, number>;
  /** Σ occupancy per label: the VOI's volume in image voxels. */
  readonly voxels: ReadonlyMap<number, number>;
}

/** Counts and voxel volume of every label of `labels` in `values` (same grid, same length). */
export function countsPerVoi(labels: LabelInput, values: ArrayLike<number>): VoiCounts {
  const counts = new Map<number, number>();
  const voxels = new Map<number, number>();
  if (labels.occupancy) {
    for (const [l, f] of labels.occupancy) {
      let c = 0;
      let w = 0;
      for (let n = 0; n < f.length; n++) {
        if (f[n] === 0) continue;
        c += f[n] * Math.max(0, values[n]);
        w += f[n];
      }
      counts.set(l, c);
      voxels.set(l, w);
    }
  } else {
    const lab = labels.labels.data;
    for (let n = 0; n < lab.length; n++) {
      const l = lab[n];
      if (l === 0) continue;
      counts.set(l, (counts.get(l) ?? 0) + Math.max(0, values[n]));
      voxels.set(l, (voxels.get(l) ?? 0) + 1);
    }
  }
  return { counts, voxels };
}

/**
 * Lung shunt fraction from counts: counts in the lung VOIs over counts in the lung and every other
 * VOI (LSF = C_lung / (C_lung + C_liver), the SPECT form of the planar ratio; Dezarn et al., Med
 * Phys 2011;38:4824, AAPM TG-144). NaN when the VOIs hold no counts.
 */
export function lungShuntFromCounts(c: VoiCounts, lungLabels: readonly number[]): number {
  let lung = 0;
  let rest = 0;
  for (const [l, n] of c.counts) {
    if (lungLabels.includes(l)) lung += n;
    else rest += n;
  }
  return lung + rest > 0 ? lung / (lung + rest) : Number.NaN;
}

/**
 * Concentration of each VOI relative to the `reference` VOI (the normal liver): counts per voxel
 * volume over that of the reference, i.e. T/N for tumours. NaN where a VOI has no voxels.
 */
export function relativeConcentrations(c: VoiCounts, reference: number): Map<number, number> {
  const per = (l: number) => (c.counts.get(l) ?? 0) / (c.voxels.get(l) ?? 0);
  const ref = per(reference);
  const out = new Map<number, number>();
  for (const l of c.counts.keys()) out.set(l, per(l) / ref);
  return out;
}

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
import { InputError } from "../errors.js";
import { voxelVolumeMl, type Grid } from "../geometry/grid.js";
import type { LabelInput } from "./imageInput.js";
import { sameGeometry } from "./resample.js";

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
 * Lung shunt fraction from counts: counts in the lung VOIs over counts in the lung and liver VOIs
 * (normal liver and tumours; LSF = C_lung / (C_lung + C_liver), the SPECT form of the planar
 * ratio; Dezarn et al., Med Phys 2011;38:4824, AAPM TG-144). VOIs of neither list (a BODY, a
 * couch: voiRole "other") are not counted. NaN when the VOIs hold no counts.
 */
export function lungShuntFromCounts(c: VoiCounts, lungLabels: readonly number[], liverLabels: readonly number[]): number {
  let lung = 0;
  let rest = 0;
  for (const [l, n] of c.counts) {
    if (lungLabels.includes(l)) lung += n;
    else if (liverLabels.includes(l)) rest += n;
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

export interface VoiMasses {
  /** Voxels of each label on the CT grid. */
  readonly voxels: ReadonlyMap<number, number>;
  /** Σ voxel volume × (HU + 1000)/1000 g/mL per label, g. */
  readonly grams: ReadonlyMap<number, number>;
  /** Volume of one CT voxel, mL. */
  readonly voxelMl: number;
}

/**
 * Volumes and CT-density masses of the VOIs on the CT grid, the grid they were drawn on (for
 * `plan-images` and `dose --lung-mass-kg ct` alike, so both give the same lung mass): density
 * (HU + 1000) / 1000 g/mL (water 1, air 0; HU below −1000 count as air), lung mass from CT as
 * Kao et al., J Nucl Med 2014;55:1224. The CT is never resampled: trilinear HU on a coarser grid
 * mixes the lung's air with the chest wall and liver (0.270 kg instead of 0.242 kg on the
 * synthetic patient, docs/io.md). `labels` must be on `ct`'s grid.
 */
export function voiMassesOnCt(labels: Grid<Uint16Array>, ct: Grid<Float32Array> | undefined): VoiMasses {
  if (ct && !sameGeometry(labels, ct)) throw new InputError("--ct", "--ct: the VOIs are not on the CT's grid (internal: read them with target = the CT grid)");
  const voxelMl = voxelVolumeMl(labels);
  const voxels = new Map<number, number>();
  const grams = new Map<number, number>();
  const lab = labels.data;
  for (let n = 0; n < lab.length; n++) {
    const l = lab[n];
    if (l === 0) continue;
    voxels.set(l, (voxels.get(l) ?? 0) + 1);
    if (ct) grams.set(l, (grams.get(l) ?? 0) + ((Math.max(-1000, ct.data[n]) + 1000) / 1000) * voxelMl);
  }
  return { voxels, grams, voxelMl };
}

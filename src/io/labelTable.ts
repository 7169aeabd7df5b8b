/**
 * Name tables beside labels.nii.gz, so a viewer shows "S8" instead of "3" (issue 15.6):
 * - labels.ctbl: a 3D Slicer color table ("index name R G B A" per line, `#` comments; Slicer loads
 *   .ctbl files as color nodes and names must be single tokens, so spaces become underscores);
 * - labels-itksnap.txt: an ITK-SNAP label description file (Segmentation → Import Label
 *   Descriptions): "IDX R G B A VIS MSH "LABEL"", A a 0..1 opacity.
 * Both list label 0 (outside) first. Colours are fixed by label, so the files repeat byte for byte.
 */

/** Normal liver, then one colour per tumour (cycled), necrotic cores a darker shade. */
const NORMAL_RGB: readonly [number, number, number] = [128, 174, 128];
const TUMOUR_RGB: readonly (readonly [number, number, number])[] = [
  [241, 214, 145],
  [216, 101, 79],
  [183, 156, 220],
  [111, 184, 210],
  [230, 220, 70],
  [255, 150, 200],
  [144, 238, 144],
  [250, 128, 114],
];

/** Colour of a label given its name table (normal = 1, tumours 2..T+1, necrotic cores after). */
function colourOf(label: number, tumourCount: number): readonly [number, number, number] {
  if (label === 1) return NORMAL_RGB;
  const t = (label - 2) % Math.max(1, tumourCount);
  const base = TUMOUR_RGB[t % TUMOUR_RGB.length];
  return label >= 2 + tumourCount ? [Math.round(base[0] / 2), Math.round(base[1] / 2), Math.round(base[2] / 2)] : base;
}

function entries(names: Readonly<Record<number, string>>): [number, string][] {
  return Object.entries(names)
    .map(([k, v]) => [Number(k), v] as [number, string])
    .sort((a, b) => a[0] - b[0]);
}

function tumourCountOf(names: Readonly<Record<number, string>>): number {
  // Labels are 1 (normal), 2..T+1 (tumours), T+2..2T+1 (necrotic cores): T = (count − 1) / 2.
  return Math.max(0, Math.floor((entries(names).filter(([k]) => k >= 1).length - 1) / 2));
}

/** 3D Slicer color table (.ctbl) of a label map's names. */
export function slicerColorTable(names: Readonly<Record<number, string>>): string {
  const tumours = tumourCountOf(names);
  const lines = ["# sirtsim labels.nii.gz names (3D Slicer color table: index name R G B A)", "0 outside 0 0 0 0"];
  for (const [label, name] of entries(names)) {
    if (label === 0) continue;
    const [r, g, b] = colourOf(label, tumours);
    lines.push(`${label} ${name.trim().replace(/\s+/g, "_")} ${r} ${g} ${b} 255`);
  }
  return `${lines.join("\n")}\n`;
}

/** ITK-SNAP label description file of a label map's names. */
export function itkSnapLabelDescriptions(names: Readonly<Record<number, string>>): string {
  const tumours = tumourCountOf(names);
  const row = (label: number, [r, g, b]: readonly [number, number, number], alpha: number, visible: number, name: string) =>
    `${String(label).padStart(5)} ${String(r).padStart(5)} ${String(g).padStart(4)} ${String(b).padStart(4)} ${String(alpha).padStart(8)} ${visible}  ${visible}    "${name.replace(/"/g, "'")}"`;
  const lines = [
    "################################################",
    "# ITK-SnAP Label Description File (sirtsim labels.nii.gz)",
    "# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL",
    "################################################",
    row(0, [0, 0, 0], 0, 0, "Clear Label"),
  ];
  for (const [label, name] of entries(names)) if (label !== 0) lines.push(row(label, colourOf(label, tumours), 1, 1, name));
  return `${lines.join("\n")}\n`;
}

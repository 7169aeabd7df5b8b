/**
 * Is the tree fine enough for the answer? The resolution study (docs/transport.md "Resolution
 * study", data in bench/resolution/) ran the small case and the default case from 4,000 terminals
 * to the portal-tract limit (1.5e6 terminals, about 1 mg of tissue per terminal) with 10 trees and
 * seeds per count, and compared each count with the portal-tract one. What it found, in tissue per
 * terminal (the quantity the sub-terminal continuation depends on, models/subTerminal.ts):
 *
 * - 16 and 41 mg per terminal (the small case at 100,000 / 40,000 terminals, the default case at
 *   100,000): normal-liver and liver D70 / D90 and the spread of spheres per 1 mm cube of normal
 *   liver within 2 % of the portal-tract value.
 * - Finer, 4–6 mg per terminal (400,000 / 300,000): DVH metrics still within 2 %, but the spread
 *   of spheres below the dose voxel is too narrow (the "dip": the continuation below a few
 *   milligrams wedges fewer spheres at fewer points than the subtree it stands for;
 *   bench/transport.md).
 * - Coarser, 160–410 mg per terminal (10,000 / 4,000): the sub-millimetre spread too wide and the
 *   normal-liver D90 low.
 *
 * So a run is told (a note on stderr, and summary.json `resolution`) when its tree lies outside
 * the band the study found converged. The numbers the notes quote are the study's:
 * test/docs/resolution-study.test.ts recomputes each from bench/resolution/ and checks the band's
 * edges against every count of the study. Only the `fractal` model with the default unit mass has
 * the continuation the study measured; the other models say what they are.
 */
import { SUBTERMINAL_DEFAULTS } from "./defaults.js";
import { FRACTAL_DEFAULTS, type HeterogeneityModel } from "./models/heterogeneity.js";

/**
 * The study's findings, % of the portal-tract value (each re-checked against bench/resolution/ by
 * test/docs/resolution-study.test.ts; mg per terminal of the study's 1.64 kg liver, both cases).
 */
export const RESOLUTION_STUDY = {
  /** Tissue per terminal where every checked metric was within 2 %: measured at 16 and 41 mg. */
  converged: { minMg: 15, maxMg: 45 },
  /** At or below this the tree is at the portal-tract limit (the study's reference: 1.5e6 terminals, 1.09 mg). */
  portalTractMg: 1.2,
  /** Finer than the band (4–6 mg per terminal): the RD of spheres per 1 mm cube of normal liver, low by this range, %; D70 / D90 of normal liver and liver within `dvhWithinPercent`. */
  finer: { measuredMg: [4, 6], rd1mmLowPercent: [6, 12], dvhWithinPercent: 0.5 },
  /** Coarser than the band (160–410 mg per terminal): the 1 mm RD high by this range, %, and the normal-liver D90 low by up to `d90LowPercent`. */
  coarser: { measuredMg: [160, 410], rd1mmHighPercent: [9, 13], d90LowPercent: 3.5 },
} as const;

export type ResolutionBand = "portal-tract" | "converged" | "finer" | "coarser" | "not-studied";

/** summary.json `resolution`: the tree's tissue per terminal and what the study says of it. */
export interface ResolutionAssessment {
  readonly terminals: number;
  readonly massPerTerminalMg: number;
  readonly band: ResolutionBand;
  /** One line for the terminal (null: nothing to say). */
  readonly note: string | null;
}

const mg = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));

/**
 * What the resolution study says of a tree of `terminals` terminals over `perfusedVolumeMl` of
 * tissue under the resolved heterogeneity model `model`.
 */
export function assessResolution(terminals: number, perfusedVolumeMl: number, model: Pick<HeterogeneityModel, "model" | "unitMassMg" | "densityGPerMl" | "relativeDispersionAt1g" | "fractalDimension">): ResolutionAssessment {
  const tissueMg = perfusedVolumeMl * model.densityGPerMl * 1000;
  const massPerTerminalMg = tissueMg / terminals;
  const at = `${terminals.toLocaleString("en")} terminals, ${mg(massPerTerminalMg)} mg of tissue per terminal`;
  const study = 'docs/transport.md "Resolution study"';
  const s = RESOLUTION_STUDY;
  const out = (band: ResolutionBand, note: string | null): ResolutionAssessment => ({ terminals, massPerTerminalMg, band, note });
  if (model.model === "walrand-bias") return out("not-studied", `heterogeneity model walrand-bias: its spread grows with the tree's number of generations by design, so its answer depends on the terminal count (${at}; docs/transport.md "Model")`);
  if (model.model !== "fractal") return out("not-studied", null);
  const defaults = model.unitMassMg === SUBTERMINAL_DEFAULTS.unitMassMg && model.relativeDispersionAt1g === FRACTAL_DEFAULTS.relativeDispersionAt1g && model.fractalDimension === FRACTAL_DEFAULTS.fractalDimension;
  if (!defaults) return out("not-studied", `the resolution study used the fractal model's defaults (unit mass ${SUBTERMINAL_DEFAULTS.unitMassMg} mg, RD(1 g) ${FRACTAL_DEFAULTS.relativeDispersionAt1g}, D ${FRACTAL_DEFAULTS.fractalDimension}); with this case's heterogeneity the convergence with the terminal count is not measured (${at}; ${study})`);
  if (massPerTerminalMg <= s.portalTractMg) return out("portal-tract", null);
  if (massPerTerminalMg >= s.converged.minMg && massPerTerminalMg <= s.converged.maxMg) return out("converged", null);
  if (massPerTerminalMg < s.converged.minMg) {
    return out(
      "finer",
      `tree resolution ${at}: between the portal-tract limit (~1 mg) and ${s.converged.minMg} mg per terminal the spread of spheres below the dose voxel is not converged (at ${s.finer.measuredMg[0]}–${s.finer.measuredMg[1]} mg the RD of spheres per 1 mm cube was ${s.finer.rd1mmLowPercent[0]}–${s.finer.rd1mmLowPercent[1]} % low; normal-liver and liver D70 / D90 within ${s.finer.dvhWithinPercent} %); ${s.converged.minMg}–${s.converged.maxMg} mg per terminal was converged (${study})`,
    );
  }
  return out(
    "coarser",
    `tree resolution ${at}: coarser than the ${s.converged.maxMg} mg per terminal the resolution study found converged (at ${s.coarser.measuredMg[0]}–${s.coarser.measuredMg[1]} mg the RD of spheres per 1 mm cube was ${s.coarser.rd1mmHighPercent[0]}–${s.coarser.rd1mmHighPercent[1]} % high and the normal-liver D90 up to ${s.coarser.d90LowPercent} % low); use at least ${Math.ceil(tissueMg / s.converged.maxMg).toLocaleString("en")} terminals (${study})`,
  );
}

/**
 * What the resolution study says of a run's tree. The study (docs/transport.md "Resolution study",
 * data in bench/resolution/) ran the small case and the default case from 4,000 terminals to the
 * portal-tract tree (1.5e6 terminals, about 1 mg of tissue per terminal: its reference, not a
 * tested result) with 10 trees and seeds per count, and compared each count with the reference.
 * In tissue per terminal (the quantity the sub-terminal continuation depends on,
 * models/subTerminal.ts), normal-liver and liver D70 / D90 and the spread of spheres per 1 mm cube
 * of normal liver were:
 *
 * - within 2 % in the band `RESOLUTION_STUDY.agreed` (16–41 mg per terminal: the small case at
 *   100,000 / 40,000 terminals, the default case at 100,000) — the 1 mm agreement there being
 *   itself a compensation of two errors (bench/transport.md "Self and cross terms by resolution");
 * - finer, in `RESOLUTION_STUDY.finer.measuredMg`: D70 / D90 within `dvhWithinPercent`, the 1 mm
 *   spread low by `rd1mmLowPercent`, deepest at 4–7 mg ("the dip"; the per-count values are the
 *   difference tables of docs/transport.md, rendered from the data);
 * - coarser, in `RESOLUTION_STUDY.coarser.measuredMg`: the 1 mm spread high by
 *   `rd1mmHighPercent`, the normal-liver D90 low by up to `d90LowPercent`;
 * - not measured in between (11–16 and 41–80 mg).
 *
 * So a run is told (summary.json `resolution`, a `note:` on stderr, the report's notes) when its
 * tree lies outside the 16–41 mg the study found within 2 %, with what the study measured on that
 * side, and when the study did not cover its settings at all (another product, model or
 * parameters). The numbers the notes quote are the study's: test/docs/resolution-study.test.ts
 * recomputes each from bench/resolution/ and checks the band's edges against every count.
 */
import { SUBTERMINAL_DEFAULTS } from "./defaults.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../physics/units.js";
import { TERMINALS_RANGE } from "../vascular/grow.js";
import { FRACTAL_DEFAULTS, type HeterogeneityModel } from "./models/heterogeneity.js";

/**
 * The study's findings, % of the portal-tract value, mg of tissue per terminal (the study's
 * 1.64 kg liver, both cases); each re-checked against bench/resolution/ by
 * test/docs/resolution-study.test.ts.
 */
export const RESOLUTION_STUDY = {
  /** The counts within 2 % (normal-liver and liver D70 / D90, 1 mm spread) lie at 16.4 and 40.9 mg (at 10.9 mg the default case with feedback is beyond 2 %): the band spans them, rounded outward. */
  agreed: { minMg: 16, maxMg: 41 },
  /**
   * `tree.terminals: "auto"` (the default) sizes the tree to this much tissue per terminal: the
   * bundled cases' 100,000 terminals of the default 1.59 L liver, where both studied cases were
   * measured within 2 % — a measured point inside the band, so the default count of the bundled
   * liver is what the docs' numbers were run at.
   */
  autoMg: 16.4,
  /** At or below this the tree is at the portal-tract limit (the study's reference: 1.5e6 terminals, 1.09 mg). */
  portalTractMg: 1.2,
  /** Finer than the band, measured at 4–11 mg per terminal: the RD of spheres per 1 mm cube of normal liver low by this range, %; D70 / D90 of normal liver and liver within `dvhWithinPercent`. */
  finer: { measuredMg: [4, 11], rd1mmLowPercent: [1, 12], dvhWithinPercent: 0.6 },
  /** Coarser than the band, measured at 80–410 mg per terminal: the 1 mm RD high by this range, %, and the normal-liver D90 low by up to `d90LowPercent`. */
  coarser: { measuredMg: [80, 410], rd1mmHighPercent: [4, 13], d90LowPercent: 3.5 },
  /** What the study ran: resin, size exclusion on, the tree's default Murray exponent, the fractal model's defaults. */
  conditions: { product: "sir-spheres", productName: "SIR-Spheres (resin)", sizeExclusion: true, murrayExponent: 3 },
} as const;

/**
 * The terminal count of `tree.terminals: "auto"` for a liver of `perfusedVolumeMl` of perfused
 * (viable) tissue: that tissue over RESOLUTION_STUDY.autoMg, so that assessResolution finds the
 * tree in the agreed band whatever the liver's size — a 1 L liver gets ~63,000 terminals, a 2.5 L
 * one ~157,000 — within TERMINALS_RANGE. The same tissue per terminal as the bundled cases' 100,000.
 */
export function autoTerminals(perfusedVolumeMl: number, densityGPerMl = DEFAULT_TISSUE_DENSITY_G_PER_ML): number {
  const n = Math.round((perfusedVolumeMl * densityGPerMl * 1000) / RESOLUTION_STUDY.autoMg);
  return Math.min(TERMINALS_RANGE.max, Math.max(TERMINALS_RANGE.min, n));
}

export type ResolutionBand = "portal-tract" | "agreed" | "finer" | "coarser" | "not-studied";

/** summary.json `resolution`: the tree's tissue per terminal and what the study says of it. */
export interface ResolutionAssessment {
  readonly terminals: number;
  readonly massPerTerminalMg: number;
  readonly band: ResolutionBand;
  /** One line for the terminal (null: nothing to say). */
  readonly note: string | null;
}

/** The run's settings the study's answer depends on. */
export interface ResolutionSettings {
  readonly product: string;
  readonly sizeExclusion: boolean;
  readonly murrayExponent: number;
  readonly heterogeneity: Pick<HeterogeneityModel, "model" | "unitMassMg" | "densityGPerMl" | "relativeDispersionAt1g" | "fractalDimension">;
}

const mg = (x: number) => x.toPrecision(3);
const count = (x: number) => x.toLocaleString("en");

/** What the resolution study says of a tree of `terminals` terminals over `perfusedVolumeMl` of tissue, run with `settings`. */
export function assessResolution(terminals: number, perfusedVolumeMl: number, settings: ResolutionSettings): ResolutionAssessment {
  const model = settings.heterogeneity;
  const tissueMg = perfusedVolumeMl * model.densityGPerMl * 1000;
  const massPerTerminalMg = tissueMg / terminals;
  const at = `${count(terminals)} terminals, ${mg(massPerTerminalMg)} mg of tissue per terminal`;
  const study = 'docs/transport.md "Resolution study"';
  const s = RESOLUTION_STUDY;
  const c = s.conditions;
  const out = (band: ResolutionBand, note: string | null): ResolutionAssessment => ({ terminals, massPerTerminalMg, band, note });
  const notStudied = (what: string) => out("not-studied", `tree resolution ${at}: ${what}, so how its answer changes with the terminal count is not measured (${study})`);
  if (model.model === "walrand-bias") return notStudied("heterogeneity model walrand-bias adds the same variance at every bifurcation, so its spread grows with the tree's number of generations by design");
  if (model.model === "flow") return notStudied("heterogeneity model flow spreads a terminal's spheres uniformly over its territory, so the spread below a terminal's size depends on the terminal count");
  if (model.model !== "fractal") return notStudied(`the resolution study ran the fractal model, not ${model.model}`);
  const defaults = model.unitMassMg === SUBTERMINAL_DEFAULTS.unitMassMg && model.relativeDispersionAt1g === FRACTAL_DEFAULTS.relativeDispersionAt1g && model.fractalDimension === FRACTAL_DEFAULTS.fractalDimension;
  if (!defaults) return notStudied(`the resolution study ran the fractal model's defaults (unit mass ${SUBTERMINAL_DEFAULTS.unitMassMg} mg, RD(1 g) ${FRACTAL_DEFAULTS.relativeDispersionAt1g}, D ${FRACTAL_DEFAULTS.fractalDimension})`);
  if (settings.product !== c.product) return notStudied(`the resolution study ran ${c.productName}, whose diameters set where the unresolved arterioles stop the spheres`);
  if (settings.sizeExclusion !== c.sizeExclusion) return notStudied("the resolution study ran with transport.sizeExclusion on");
  if (settings.murrayExponent !== c.murrayExponent) return notStudied(`the resolution study ran tree.murrayExponent ${c.murrayExponent}`);
  if (massPerTerminalMg <= s.portalTractMg) return out("portal-tract", null);
  if (massPerTerminalMg >= s.agreed.minMg && massPerTerminalMg <= s.agreed.maxMg) return out("agreed", null);
  const measured = `the resolution study found normal-liver and liver D70 / D90 and the spread of spheres per 1 mm cube within 2 % of the portal-tract tree's (~1 mg per terminal) in all its cases only between ${s.agreed.minMg} and ${s.agreed.maxMg} mg per terminal`;
  const terminalsFor = (perTerminalMg: number, round: (x: number) => number) => count(round(tissueMg / perTerminalMg));
  if (massPerTerminalMg < s.agreed.minMg) {
    return out(
      "finer",
      `tree resolution ${at}: ${measured}; at ${s.finer.measuredMg[0]}–${s.finer.measuredMg[1]} mg the D70 / D90 were within ${s.finer.dvhWithinPercent} % but that spread was ${s.finer.rd1mmLowPercent[0]}–${s.finer.rd1mmLowPercent[1]} % low; not measured elsewhere between ${s.portalTractMg} and ${s.agreed.minMg} mg. For the sub-millimetre spread use at most ${terminalsFor(s.agreed.minMg, Math.floor)} terminals or at least ${terminalsFor(s.portalTractMg, Math.ceil)} (${study})`,
    );
  }
  return out(
    "coarser",
    `tree resolution ${at}: ${measured}; at ${s.coarser.measuredMg[0]}–${s.coarser.measuredMg[1]} mg that spread was ${s.coarser.rd1mmHighPercent[0]}–${s.coarser.rd1mmHighPercent[1]} % high and the normal-liver D90 up to ${s.coarser.d90LowPercent} % low; not measured between ${s.agreed.maxMg} and ${s.coarser.measuredMg[0]} mg. Use at least ${terminalsFor(s.agreed.maxMg, Math.ceil)} terminals (${study})`,
  );
}

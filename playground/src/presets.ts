/**
 * The presets a lecturer starts a practical from: a bundled case for side A, one change for side
 * B, and what the comparison teaches (numbers quoted are from the full-size cases in
 * docs/tutorial.md; the playground's smaller tree gives similar ones).
 */
import type { PlaygroundSettings } from "./settings.js";

export interface Preset {
  readonly id: string;
  readonly title: string;
  /** Bundled case the preset starts from (fixtures/cases/<base>.json). */
  readonly base: "net-default" | "glass-segmentectomy";
  /** Changes to side A and side B relative to the case. */
  readonly a: Partial<PlaygroundSettings>;
  readonly b: Partial<PlaygroundSettings>;
  readonly explanation: string;
}

export const PRESETS: readonly Preset[] = [
  {
    id: "net",
    title: "NET default",
    base: "net-default",
    a: {},
    b: { product: "therasphere" },
    explanation:
      "Seven NET metastases, resin spheres planned with the partition model to 40 Gy mean normal-liver dose (A), against glass planned to the same 40 Gy (B). " +
      "Same mean doses, but glass carries ~37× the activity per sphere, so ~37× fewer spheres: the dose map is grainier and the tumours' D70 lower. " +
      "Try: raise one tumour's T/N and watch only that tumour's dose rise, at the same activity.",
  },
  {
    id: "glass",
    title: "Glass segmentectomy",
    base: "glass-segmentectomy",
    a: {},
    b: { entryPoint: "right-hepatic" },
    explanation:
      "Radiation segmentectomy: glass planned with MIRD to 450 Gy over segment 8 and injected into the S8 artery (A). " +
      "B injects the same plan into the right hepatic artery: the activity spreads over the whole right lobe, the tumour dose falls several-fold and the normal liver of the lobe is irradiated. " +
      "Ablative doses are only safe because the perfused volume is small: the injection site is part of the prescription.",
  },
  {
    id: "lsf",
    title: "High lung shunt",
    base: "net-default",
    a: {},
    b: { lungShuntFraction: 0.18 },
    explanation:
      "The same NET plan with a lung shunt fraction of 3 % (A) and 18 % (B). With a dose target the activity does not change the liver dose, but 18 % of it goes to the lungs: " +
      "read the lung dose against the 30 Gy limit and the advisories (SIR-Spheres label: reduce the activity above 10 % and 15 %, do not treat above 20 %).",
  },
  {
    id: "stasis",
    title: "Stasis",
    base: "net-default",
    a: {},
    b: { embolicCapacity: 0.25 },
    explanation:
      "Embolic load: resin spheres are many and small, and the vessels fill as they lodge. In A the vessels hold what the engine's model gives (stasis would set in near 45,000 spheres per mL of normal liver, about 150 Gy); in B a quarter of that, as in a liver whose arterioles are already narrowed, " +
      "so flow stops (stasis) before the vial is empty and the rest refluxes — less activity reaches the liver, and the tumours with the highest flow fill first.",
  },
];

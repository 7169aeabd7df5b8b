/**
 * The playground's tree: the NET case at 2e4 terminals with the CCO part at the bundled case's
 * 2000 optimised terminals and at its 2 % share (400, what playground/src/settings.ts uses): realised
 * T/N and every VOI's D70 for tree seeds 7–9 (one transport seed). Record in bench/playground.md.
 *
 *   npx tsx bench/playground-tree.ts
 */
import { readFile } from "node:fs/promises";
import { numericCase } from "../playground/build.js";
import { createEngineCache, heterogeneityModels, runCase } from "../playground/src/engine.js";
import { caseFromSettings, settingsFromCase } from "../playground/src/settings.js";
const models = heterogeneityModels();
const cases = numericCase(JSON.parse(await readFile(`fixtures/cases/net-default.json`, "utf8")), "net-default");
const s: any = settingsFromCase(cases, models[0].id);
const rows: Record<number, number[]> = { 2000: [], 400: [] };
for (const seed of [7, 8, 9]) for (const opt of [2000, 400]) {
  const c = caseFromSettings(cases, s, models[0].transport, 20000);
  c.tree.optimisedTerminals = opt; c.tree.seed = seed;
  const r = await runCase(c, createEngineCache());
  const sm: any = r.summary;
  const d70 = Object.entries(sm.compartments).map(([k, v]: any) => `${k}:${v.doseAtVolumeGy.D70?.toFixed?.(0)}`).join(" ");
  rows[opt].push(sm.tumourToNormalRatio.realisedSpheres);
  console.log(`tree seed ${seed}, optimised ${opt}: T/N ${sm.tumourToNormalRatio.realisedSpheres.toFixed(3)}; D70 (Gy) ${d70}`);
}
for (const [opt, xs] of Object.entries(rows)) {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  console.log(`optimised ${opt}: T/N ${m.toFixed(2)} ± ${sd.toFixed(2)} (mean ± sd over ${xs.length} trees)`);
}

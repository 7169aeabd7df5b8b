/**
 * The phrases docs/simulation.md quotes from docs/numbers.json (the bundled cases' runs, written by
 * `npx tsx scripts/doc-numbers.ts`): built here, checked by test/docs/simulation-numbers.test.ts;
 * after a rerun, `npx tsx test/docs/simulationPhrases.ts` prints them.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { percentText } from "../../bench/resolutionDocs.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
type Compartment = { volumeMl: number; partitionGy: number | null; spheresGy: number | null; meanGy: number; ldmGy: number };
type Run = { activityGBq: number; spheresInjected: number; compartments: Record<string, Compartment> };
const numbers = JSON.parse(readFileSync(`${root}docs/numbers.json`, "utf8")) as Record<string, Run>;

const signed = (x: number) => percentText(x);
const change = (a: number, b: number) => signed(100 * (a / b - 1));
const gy = (x: number | null) => (x as number).toFixed(1);

/** The default case's tumours, in the case file's order, with their radius (the case file's input). */
function tumours(): Array<{ name: string; radiusMm: number; c: Compartment }> {
  const json = JSON.parse(readFileSync(`${root}fixtures/cases/net-default.json`, "utf8")) as { geometry: { tumours: Array<{ name: string; radiusMm: number }> } };
  return json.geometry.tumours.map((t) => ({ name: t.name, radiusMm: t.radiusMm, c: numbers["net-default"].compartments[t.name] }));
}

export function simulationPhrases(): string[] {
  const out: string[] = [];
  const net = numbers["net-default"];
  out.push(`the default case's ${(net.spheresInjected / 1e6).toFixed(1)} M spheres`);
  const ts = tumours();
  const list = (f: (c: Compartment) => number) => ts.map((t) => `${signed(f(t.c))} (${t.name}, ${t.radiusMm} mm)`).join(", ");
  const share = ts.map((t) => 100 * ((t.c.spheresGy as number) / (t.c.partitionGy as number) - 1));
  out.push(`the tissue-level dose against the partition model: ${signed(Math.min(...share))} to ${signed(Math.max(...share))}`);
  out.push(`LDM against the tissue level: ${list((c) => 100 * (c.ldmGy / (c.spheresGy as number) - 1))}`);
  out.push(`FFT against LDM: ${list((c) => 100 * (c.meanGy / c.ldmGy - 1))}`);
  const n = net.compartments.normal;
  out.push(`normal liver LDM ${change(n.ldmGy, n.spheresGy as number)} and FFT ${change(n.meanGy, n.ldmGy)}`);

  const rh = numbers["net-right-hepatic"];
  const rc = (k: string) => `${k} ${gy(rh.compartments[k].spheresGy)} vs ${gy(rh.compartments[k].partitionGy)} Gy`;
  out.push(`${rh.activityGBq.toFixed(3)} GBq planned for 40 Gy to the right lobe's normal liver; tissue-level doses ${rc("S7-large")}, ${rc("S8")}, ${rc("S6")}, ${rc("S5")}, ${rc("normal")}`);

  const g = numbers["glass-segmentectomy"].compartments;
  out.push(`Tissue-level doses: HCC ${gy(g.HCC.spheresGy)} vs ${gy(g.HCC.partitionGy)} Gy, normal ${gy(g.normal.spheresGy)} vs ${gy(g.normal.partitionGy)} Gy; voxel means over the perfused VOIs: HCC ${gy(g.HCC.ldmGy)} Gy (LDM), normal ${gy(g.normal.ldmGy)} Gy (LDM), ${gy(g.normal.meanGy)} Gy (FFT`);

  const h = numbers["ho166-whole-liver"].compartments;
  const ho = Object.entries(h).filter(([, c]) => c.partitionGy !== null && c.spheresGy !== null);
  out.push(`tissue level against the partition model: ${ho.map(([k, c]) => `${k} ${change(c.spheresGy as number, c.partitionGy as number)}`).join(", ")}`);
  return out;
}


if (process.argv[1]?.endsWith("simulationPhrases.ts")) for (const p of simulationPhrases()) console.log(`- ${p}`);

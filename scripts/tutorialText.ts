/**
 * The measured parts of docs/tutorial.md, rendered from docs/numbers.json (scripts/doc-numbers.ts
 * measures the runs). Each part sits between `<!-- doc-numbers:NAME begin -->` and
 * `<!-- doc-numbers:NAME end -->`; `npx tsx scripts/doc-numbers.ts` rewrites them, and
 * test/docs/tutorial.test.ts checks that the page holds exactly these renderings (and re-checks the
 * observations on fresh small runs). Pure: numbers in, Markdown out.
 */

export interface CompartmentNumbers {
  volumeMl: number;
  partitionGy: number | null;
  spheresGy: number | null;
  meanGy: number;
  ldmGy: number;
  D70Gy: number;
  D90Gy: number;
  V100: number;
  spheres: number;
}

/** What a full simulation run contributes (scripts/doc-numbers.ts docNumbers). */
export interface RunNumbers {
  activityGBq: number;
  plannedActivityGBq: number;
  spheresInjected: number;
  activityPerSphereBq: number;
  refluxFraction: number;
  refluxSpheres: number;
  refluxGBq: number;
  stasis: boolean;
  stasisAtSpheres: number | null;
  realisedTN: number | null;
  lungGy: number;
  largestCluster: number;
  advisories: string[];
  compartments: Record<string, CompartmentNumbers>;
}

/** What a planning-only variant contributes (resolvePlan). */
export interface PlanNumbers {
  plannedActivityGBq: number;
  activityGBq: number;
  limitedBy: string | null;
  lungGy: number;
  doseGy: Record<string, number>;
}

export type DocNumbers = Record<string, RunNumbers | PlanNumbers>;

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number | null) => (x === null ? "–" : x.toFixed(1));
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const n = (x: number) => x.toLocaleString("en");
const pct = (a: number, b: number) => `${a >= b ? "+" : "−"}${Math.abs(100 * (a / b - 1)).toFixed(0)} %`;
const countCodes = (codes: string[]) => {
  const by = new Map<string, number>();
  for (const c of codes) by.set(c, (by.get(c) ?? 0) + 1);
  return by.size === 0 ? "none" : [...by].map(([c, k]) => `${k} × ${c}`).join(", ");
};

function run(numbers: DocNumbers, name: string): RunNumbers {
  const r = numbers[name];
  if (!r || !("compartments" in r)) throw new Error(`docs/numbers.json has no run "${name}" (run npx tsx scripts/doc-numbers.ts)`);
  return r;
}
function plan(numbers: DocNumbers, name: string): PlanNumbers {
  const r = numbers[name];
  if (!r || !("doseGy" in r)) throw new Error(`docs/numbers.json has no plan "${name}" (run npx tsx scripts/doc-numbers.ts)`);
  return r;
}

/** Largest |spheres/partition − 1| over the named compartments, in whole percent. */
function largestDeviation(r: RunNumbers, names: string[]): number {
  let worst = 0;
  for (const name of names) {
    const c = r.compartments[name];
    if (c.spheresGy !== null && c.partitionGy) worst = Math.max(worst, Math.abs(c.spheresGy / c.partitionGy - 1));
  }
  return Math.ceil(100 * worst);
}

const TUMOURS = ["S7-large", "S8", "S6", "S5", "S2", "S3", "S4"];

function section1(numbers: DocNumbers): string {
  const r = run(numbers, "net-default");
  const c = r.compartments;
  const row = (label: string, x: CompartmentNumbers) =>
    `| ${label} | ${f1(x.volumeMl)} | ${f1(x.meanGy)} | ${f1(x.ldmGy)} | ${f1(x.spheresGy)} | ${f1(x.partitionGy)} | ${f1(x.D70Gy)} | ${f2(x.V100)} |`;
  return [
    "| VOI | volume mL | mean Gy | LDM Gy | spheres Gy | partition Gy | D70 Gy | V100 |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    row("S7-large (core + rim)", c["S7-large"]),
    row("S8 (r 15 mm, T/N 4)", c.S8),
    row("S4 (r 6 mm, T/N 6)", c.S4),
    row("normal", c.normal),
    `| lung | | ${f1(r.lungGy)} | | | ${f1(r.lungGy)} | | |`,
    "",
    `${f3(r.activityGBq)} GBq, ${n(r.spheresInjected)} resin spheres (${f0(r.activityPerSphereBq)} Bq each), realised T/N (spheres per mL, tumours vs`,
    `normal) ${f2(r.realisedTN ?? NaN)}.`,
    "",
    `**Observation 1.** The "spheres" column follows the partition model: the normal liver within`,
    `${Math.max(1, largestDeviation(r, ["normal"]))} %, the seven tumours within ${largestDeviation(r, TUMOURS)} % — perfusion heterogeneity (the \`fractal\` model,`,
    "docs/transport.md) gives each tumour its own share around the plan's, more for small ones. The",
    `voxel dose is lower, and the smaller the tumour the lower: S8 ${pct(c.S8.meanGy, c.S8.spheresGy as number)}, S4 ${pct(c.S4.meanGy, c.S4.spheresGy as number)} against`,
    "their spheres. Ask: why? (Betas of Y-90 travel 2.5 mm on average, up to 11 mm; a 6 mm tumour",
    "loses much of its energy to the cooler liver around it.)",
  ].join("\n");
}

function section1Dvh(numbers: DocNumbers): string {
  const s7 = run(numbers, "net-default").compartments["S7-large"];
  return [
    "5. **DVHs** — one curve per VOI. A steep curve = uniform dose; a tumour's curve reaching down to",
    "   low doses = cold parts (look at S7-large: its necrotic core gets no spheres, so its D90 is",
    `   only ${f1(s7.D90Gy)} Gy while its mean is ${f1(s7.meanGy)} Gy).`,
  ].join("\n");
}

function section2(numbers: DocNumbers): string {
  const a = run(numbers, "net-default");
  const b = run(numbers, "net-tn12");
  const s4 = (r: RunNumbers) => r.compartments.S4;
  const cols = (x: CompartmentNumbers) => `${f0(x.partitionGy as number)} / ${f1(x.spheresGy)} / ${f1(x.meanGy)} / ${f1(x.D70Gy)}`;
  let others = 0;
  for (const t of [...TUMOURS.filter((t) => t !== "S4"), "normal"]) {
    others = Math.max(others, Math.abs((b.compartments[t].spheresGy as number) / (a.compartments[t].spheresGy as number) - 1));
  }
  const target = plan(numbers, "net-tn12-target-s4");
  return [
    "| | default (T/N 6) | T/N 12 |",
    "|---|---:|---:|",
    `| activity | ${f3(a.activityGBq)} GBq | ${f3(b.activityGBq)} GBq |`,
    `| S4 partition / spheres / mean / D70 Gy | ${cols(s4(a))} | ${cols(s4(b))} |`,
    `| S4 V100 | ${f2(s4(a).V100)} | ${f2(s4(b).V100)} |`,
    `| other tumours, normal liver (spheres Gy) | | within ${Math.ceil(100 * others)} % of the default (T/N sets where the terminals grow: a new tree, so a new draw of the perfusion heterogeneity) |`,
    "",
    "**Observation 2.** The plan targets the normal liver (40 Gy), so the activity hardly changes",
    `(S4 holds ${f1(s4(a).volumeMl)} mL out of 1.6 L); S4's dose about doubles in every column, and its voxel mean stays`,
    `${pct(s4(b).meanGy, s4(b).spheresGy as number)} from its spheres' dose (${pct(s4(a).meanGy, s4(a).spheresGy as number)} at T/N 6) — cross-fire loss is a property of size, not of T/N.`,
    'Exercise: keep T/N 12 but set `"target": { "compartment": "S4", "doseGy": 240 }` and explain why',
    `the activity halves (planned: ${f3(target.plannedActivityGBq)} GBq, normal liver ${f1(target.doseGy.normal)} Gy).`,
  ].join("\n");
}

function section3(numbers: DocNumbers): string {
  const r = run(numbers, "net-right-hepatic");
  const whole = run(numbers, "net-default");
  const c = r.compartments;
  const row = (label: string, x: CompartmentNumbers) => `| ${label} | ${f1(x.volumeMl)} | ${f1(x.partitionGy)} | ${f1(x.spheresGy)} | ${f1(x.meanGy)} | ${f1(x.D70Gy)} |`;
  const left = ["S2", "S3", "S4"].map((t) => c[t]);
  return [
    "| VOI | volume mL | partition Gy | spheres Gy | mean Gy | D70 Gy |",
    "|---|---:|---:|---:|---:|---:|",
    row("S7-large (right)", c["S7-large"]),
    row("S8 (right)", c.S8),
    row("S6 (right)", c.S6),
    row("S5 (right)", c.S5),
    `| S2, S3, S4 (left) | ${left.map((x) => f1(x.volumeMl)).join(", ")} | – | ${left.every((x) => x.spheres === 0) ? "0 spheres" : n(left.reduce((s, x) => s + x.spheres, 0)) + " spheres"} | ${f1(Math.max(...left.map((x) => x.meanGy)))} | ${f1(Math.max(...left.map((x) => x.D70Gy)))} |`,
    row("normal (right lobe)", c.normal),
    `| perfused | ${f1(c.perfused.volumeMl)} | | | ${f1(c.perfused.meanGy)} | ${f1(c.perfused.D70Gy)} |`,
    `| liver | ${f1(c.liver.volumeMl)} | | | ${f1(c.liver.meanGy)} | ${f1(c.liver.D70Gy)} |`,
    "",
    "The plan follows the injection: the compartments are derived from the territory of the right",
    `hepatic artery (its tumours and its normal liver), so the partition model asks for ${f3(r.activityGBq)} GBq`,
    `instead of the whole liver's ${f3(whole.activityGBq)} GBq, and the normal liver of the right lobe gets its 40 Gy.`,
    "",
    "**Observation 3.** The right tumours get what the partition model planned for them (the",
    `"spheres" column within ${largestDeviation(r, ["S7-large", "S8", "S6", "S5"])} %: perfusion heterogeneity, docs/transport.md), the left tumours get nothing (0 spheres), and in the whole-liver`,
    `row the D70 is ${f1(c.liver.D70Gy)} Gy: more than 30 % of the liver — the left lobe — is not treated, although its`,
    `mean (${f1(c.liver.meanGy)} Gy) looks like a dose. Lesson: a lobar treatment is planned and judged on the perfused`,
    "lobe (the `perfused` row), and the untreated tumours need their own treatment. Exercise: inject",
    "`left-hepatic` and predict which tumours are treated and how the activity changes before running",
    "it.",
  ].join("\n");
}

function section4(numbers: DocNumbers): string {
  const a = run(numbers, "net-default");
  const b = run(numbers, "net-glass");
  const s4 = (r: RunNumbers) => r.compartments.S4;
  const ratio = a.spheresInjected / b.spheresInjected;
  const poisson = 100 / Math.sqrt(s4(b).spheres);
  return [
    "| | resin (SIR-Spheres) | glass (TheraSphere) |",
    "|---|---:|---:|",
    `| activity | ${f3(a.activityGBq)} GBq | ${f3(b.activityGBq)} GBq |`,
    `| spheres injected | ${n(a.spheresInjected)} (${f0(a.activityPerSphereBq)} Bq each) | ${n(b.spheresInjected)} (${f0(b.activityPerSphereBq)} Bq each) |`,
    `| S4: spheres / tissue-level Gy | ${n(s4(a).spheres)} / ${f1(s4(a).spheresGy)} | ${n(s4(b).spheres)} / ${f1(s4(b).spheresGy)} |`,
    `| normal liver mean / D70 / D90 Gy | ${f1(a.compartments.normal.meanGy)} / ${f1(a.compartments.normal.D70Gy)} / ${f1(a.compartments.normal.D90Gy)} | ${f1(b.compartments.normal.meanGy)} / ${f1(b.compartments.normal.D70Gy)} / ${f1(b.compartments.normal.D90Gy)} |`,
    `| largest cluster (spheres) | ${n(a.largestCluster)} | ${n(b.largestCluster)} |`,
    `| advisories | ${countCodes(a.advisories)} | ${countCodes(b.advisories)} |`,
    "",
    `**Observation 4.** Same activity, ${f0(ratio)}× fewer spheres: each glass sphere carries ${f0(ratio)}× the activity.`,
    "The mean doses do not change, but the sphere counts are so much smaller that the randomness of",
    `where they lodge shows (Poisson noise of ${n(s4(b).spheres)} spheres in S4 is ±${poisson.toFixed(1)} %), and the normal-liver`,
    "dose is a little less uniform at the voxel scale. The glass tumour target of EANM 2022 is 205 Gy,",
    "hence more advisories. For the heterogeneity at the scale of liver lobules (where glass and resin",
    "really differ) see `bench/validation-walrand.ts` and",
    "[validation.md](validation.md#walrand-et-al-2014-glass-at-120-gy-lobule-doses).",
  ].join("\n");
}

function section5(numbers: DocNumbers): string {
  const a = run(numbers, "net-default");
  const b = run(numbers, "net-stasis");
  const stasis = (r: RunNumbers) => (r.stasis ? `yes, after ${n(r.stasisAtSpheres ?? 0)} spheres (${f0((100 * (r.stasisAtSpheres ?? 0)) / r.spheresInjected)} %)` : "no");
  const reflux = (r: RunNumbers) => (r.refluxSpheres === 0 ? "0" : `${n(r.refluxSpheres)} spheres (${f2(r.refluxGBq)} GBq, ${f0(100 * r.refluxFraction)} %)`);
  return [
    "| | capacity from geometry | 5,000 spheres per mL |",
    "|---|---:|---:|",
    `| stasis | ${stasis(a)} | ${stasis(b)} |`,
    `| refluxed to the gastroduodenal artery | ${reflux(a)} | ${reflux(b)} |`,
    `| S8 / normal tissue-level Gy | ${f1(a.compartments.S8.spheresGy)} / ${f1(a.compartments.normal.spheresGy)} | ${f1(b.compartments.S8.spheresGy)} / ${f1(b.compartments.normal.spheresGy)} |`,
    `| advisories | ${countCodes(a.advisories)} | ${countCodes(b.advisories)} |`,
  ].join("\n");
}

function section6(numbers: DocNumbers): string {
  const g = run(numbers, "glass-segmentectomy");
  const h = run(numbers, "ho166-whole-liver");
  const tumourGy = ["R-large", "R-small", "L-mid", "L-small"].map((t) => h.compartments[t].spheresGy as number);
  const below = h.advisories.filter((a) => a === "TUMOUR_BELOW_TARGET").length;
  return [
    `- **Glass radiation segmentectomy** (S8, MIRD 450 Gy to the segment): ${f3(g.activityGBq)} GBq, ${n(g.spheresInjected)}`,
    `  spheres of ~${Math.round(g.activityPerSphereBq / 5) * 5} Bq (glass decayed 96 h from calibration). The case gives its compartments (the`,
    "  3 cm HCC and the segment's normal tissue), so the `normal` row is the segment's normal tissue:",
    `  the HCC gets ${f1(g.compartments.HCC.spheresGy)} Gy at tissue level (T/N 3, V100 = ${f2(g.compartments.HCC.V100)}) and the segment's normal tissue`,
    `  ${f1(g.compartments.normal.spheresGy)} Gy — an ablative dose confined to one segment. The \`liver\` row is the whole liver (mean`,
    `  ${f1(g.compartments.liver.meanGy)} Gy, D70 ${f1(g.compartments.liver.D70Gy)} Gy): only the \`perfused\` ${f1(g.compartments.perfused.volumeMl)} of its ${f1(g.compartments.liver.volumeMl)} mL are treated.`,
    "- **Ho-166 whole liver** (QuiremSpheres, MIRD 60 Gy to the liver, four colorectal metastases):",
    `  ${f3(h.activityGBq)} GBq (K = 15.87 Gy·kg/GBq, so ~3× the Y-90 activity for the same dose), ${n(h.spheresInjected)}`,
    `  spheres; normal liver ${f1(h.compartments.normal.spheresGy)} Gy, tumours ${f1(Math.min(...tumourGy))}–${f1(Math.max(...tumourGy))} Gy at tissue level by T/N (1.5–3);`,
    below === 0 ? "  no `TUMOUR_BELOW_TARGET`." : `  ${below === 1 ? "one" : below} \`TUMOUR_BELOW_TARGET\` (${below === 1 ? "L-small, T/N 1.5" : "the tumours of low T/N"}).`,
  ].join("\n");
}

function exercises(numbers: DocNumbers): string {
  const a = run(numbers, "net-default");
  const flow = run(numbers, "net-flow");
  const walrand = run(numbers, "net-walrand");
  const lsf = plan(numbers, "net-lsf15");
  const pre = plan(numbers, "net-pretreated");
  const gy = (r: RunNumbers, t: string) => f0(r.compartments[t].spheresGy as number);
  return [
    "| exercise | measured |",
    "|---|---|",
    `| \`"transport": { …, "heterogeneity": { "model": "flow" } }\` (spheres follow the flow exactly, no perfusion heterogeneity) | normal-liver D70 / D90 ${f1(a.compartments.normal.D70Gy)} / ${f1(a.compartments.normal.D90Gy)} → ${f1(flow.compartments.normal.D70Gy)} / ${f1(flow.compartments.normal.D90Gy)} Gy; the tumours' tissue-level doses go back to the plan (S5 ${gy(a, "S5")} → ${gy(flow, "S5")} Gy, partition ${f0(a.compartments.S5.partitionGy as number)}). Perfusion heterogeneity is what makes a DVH wider than the beta range alone |`,
    `| \`"transport": { …, "heterogeneity": { "model": "walrand-bias" }, "bias": 0.6 }\` (60/40 splitting, side random, Walrand 2014) | realised T/N ${f2(a.realisedTN ?? NaN)} → ${f2(walrand.realisedTN ?? NaN)}; tumours depart from the plan (S8 ${gy(a, "S8")} → ${gy(walrand, "S8")} Gy, S6 ${gy(a, "S6")} → ${gy(walrand, "S6")} Gy, S2 ${gy(a, "S2")} → ${gy(walrand, "S2")} Gy, S3 ${gy(a, "S3")} → ${gy(walrand, "S3")} Gy, tissue level); normal-liver D70 ${f1(a.compartments.normal.D70Gy)} → ${f1(walrand.compartments.normal.D70Gy)} Gy. The spread grows with the number of generations: a resolution-dependent model, kept for comparison (docs/transport.md) |`,
    `| \`"lungShuntFraction": 0.15\` | activity ${f3(a.activityGBq)} → ${f3(lsf.activityGBq)} GBq (the plan keeps 40 Gy to the normal liver, so it injects more); lung dose ${f1(a.lungGy)} → ${f1(lsf.lungGy)} Gy; liver doses unchanged |`,
    `| \`"pretreated": true\` (\`sirtsim plan\`) | the resin normal-liver limit becomes 30 Gy, below the 40 Gy target: sirtsim holds the plan to the limit and says so (\`Activity LIMITED by ${pre.limitedBy}: planned ${pre.plannedActivityGBq.toFixed(4)} GBq, injected ${pre.activityGBq.toFixed(4)} GBq\`, advisory \`ACTIVITY_LIMITED\`); every dose falls by the same factor ${f2(pre.activityGBq / pre.plannedActivityGBq)} |`,
  ].join("\n");
}

/** Every generated part of docs/tutorial.md, by marker name. */
export function renderTutorialParts(numbers: DocNumbers): Record<string, string> {
  return {
    s1: section1(numbers),
    "s1-dvh": section1Dvh(numbers),
    s2: section2(numbers),
    s3: section3(numbers),
    s4: section4(numbers),
    s5: section5(numbers),
    s6: section6(numbers),
    exercises: exercises(numbers),
  };
}

export const partBegin = (name: string) => `<!-- doc-numbers:${name} begin -->`;
export const partEnd = (name: string) => `<!-- doc-numbers:${name} end -->`;

/** The text between a part's markers (trimmed), or null when the page has no such part. */
export function partOf(page: string, name: string): string | null {
  const a = page.indexOf(partBegin(name));
  const b = page.indexOf(partEnd(name));
  return a < 0 || b < a ? null : page.slice(a + partBegin(name).length, b).trim();
}

/** The page with every part replaced by its rendering. */
export function withParts(page: string, parts: Record<string, string>): string {
  let out = page;
  for (const [name, text] of Object.entries(parts)) {
    const a = out.indexOf(partBegin(name));
    const b = out.indexOf(partEnd(name));
    if (a < 0 || b < a) throw new Error(`docs/tutorial.md has no part "${name}"`);
    out = `${out.slice(0, a + partBegin(name).length)}\n${text}\n${out.slice(b)}`;
  }
  return out;
}

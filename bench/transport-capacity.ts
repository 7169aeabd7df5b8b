/**
 * Embolic capacity from stopping sites (issue 14.3, src/transport/models/capacity.ts): does
 * feedback give the same answer at every tree resolution? The default case (net-default.json) on
 * trees cached as bench/scale-transport.ts caches them, with embolic feedback on (the case's
 * setting) and off, per resolution and tree seed.
 *
 *   npm run build && npx tsx bench/transport-capacity.ts [terminals=100000,1500000] [treeSeeds=7] [--set a.b=json ...]
 *   npx tsx bench/transport-capacity.ts --onset [plugLengthMm=default] [treeSeeds=7,8,9,10]
 *   npx tsx bench/transport-capacity.ts 100000,1500000 7 --overload 5
 *   npx tsx bench/transport-capacity.ts 100000,1500000 7,8,9,10 --facts
 *
 * `--facts`: the cached trees' radius law and branching entropy only (no transport).
 *
 * `--overload X`: also inject X × the planned activity (past the planner's safety cap, as the
 * embolicGeometry test's 10× case) with feedback on, and report when stasis sets in: spheres
 * injected at onset per mL of the perfused liver, and the reflux share.
 *
 * `--onset`: the stasis onset per mL of normally perfused tissue, and the dose it means (engine K,
 * 1.03 g/mL), on the grown default liver without tumours at 100,000 terminals injected at its root
 * (resin on every tree seed: the calibration of docs/validation.md; glass and Ho-166 on the first:
 * the predictions), and for resin on the synthetic 512- and 4,096-terminal trees of
 * test/transport/embolicGeometry.test.ts (100 mL, terminal lumen from the grown liver's radius law).
 *
 * Per run: the tree's radius law (median D_t^γ per mL of the normal terminals, µm³/mL: what a
 * terminal's stopping sites follow from; test/transport/embolicGeometry.test.ts uses it), the
 * geometric capacity per mL of territory summed over the terminals (normal / tumours), the share
 * of spheres lodged in non-terminal vessels, T/N and reflux with feedback on and off, batches, and
 * the CPU seconds of the run with feedback (process CPU: main thread plus the 2 workers).
 */
import { growCaseTree, resolveCase } from "../src/pipeline/resolveCase.js";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import { simulateCoreParallel } from "../src/pipeline/simulate.js";
import { withPool } from "../src/parallel/withPool.js";
import { resolveCapacity, splitEntropy, vesselCapacity } from "../src/transport/models/capacity.js";
import { EMBOLIC_DEFAULTS } from "../src/transport/defaults.js";
import { PRODUCTS } from "../src/physics/products.js";
import { derivedDoseCoefficient } from "../src/physics/doseCoefficient.js";
import { DEFAULT_TISSUE_DENSITY_G_PER_ML } from "../src/physics/units.js";
import { simulateTransport } from "../src/transport/simulate.js";
import { buildSyntheticTree } from "../test/transport/helpers/syntheticTree.js";
import { transportOptionsFromSections } from "../src/transport/config.js";
import { simulateTransportParallel } from "../src/parallel/transport.js";
import type { TransportResult } from "../src/transport/result.js";
import type { ArterialTree } from "../src/vascular/tree.js";
import { applySetOptions, setOptionsOf } from "./setOptions.js";
import { cachedCaseTree } from "./treeCache.js";
import { NET_CASE, netCaseJson } from "./benchCases.js";

const CASE = NET_CASE;
const args = process.argv.slice(2);
const positional = args.filter((x, i) => !x.startsWith("--") && !(i > 0 && (args[i - 1] === "--set" || args[i - 1] === "--overload")));
const counts = (positional[0] ?? "100000,1500000").split(",").map(Number);
const treeSeeds = (positional[1] ?? "7").split(",").map(Number);
const overloadArg = args.indexOf("--overload");
const overload = overloadArg >= 0 ? Number(args[overloadArg + 1]) : null;
const sets = setOptionsOf(args);
/** Median D_t^γ per mL of normal liver of the grown default liver (this script's table: 1.20e7 at 1e5, 1.41e7 at 1.5e6 terminals); as in embolicGeometry.test.ts. */
const GROWN_DGAMMA_UM3_PER_ML = 1.3e7;
/** Resin, the default case's product (src/physics/products.ts). */
const RESIN = { mean: 32, sd: 10, min: 20, max: 60 };

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function caseJson(terminals: number, treeSeed: number, embolic: boolean): Record<string, any> {
  const json = netCaseJson(terminals, treeSeed) as Record<string, any>;
  json.transport = { ...(json.transport ?? {}), embolic: { ...(json.transport?.embolic ?? {}), enabled: embolic } };
  applySetOptions(json as Record<string, unknown>, sets);
  return json;
}

/** The overloaded run: stasis onset (spheres per mL of the perfused liver) and reflux share. */
function overloadLine(t: TransportResult, tree: ArterialTree): string {
  let volume = 0;
  for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) volume += tree.territoryMl[j];
  const onset = t.refluxStartedAtSpheres === null ? "no stasis" : `stasis after ${(t.refluxStartedAtSpheres / volume).toFixed(0)} spheres/mL`;
  const reflux = t.refluxStartedAtSpheres === null ? 0 : (t.spheresInjected - t.refluxStartedAtSpheres) / t.spheresInjected;
  return `overload ×${overload}: ${t.spheresInjected} spheres (${(t.spheresInjected / volume).toFixed(0)} per mL of the perfused liver), ${onset}, reflux ${(100 * reflux).toFixed(1)} %, T/N ${t.tumourToNormalRatio?.toFixed(3)}`;
}

/** Median D_t^γ per mL (µm³/mL) of the normal terminals, and the terminals' geometric capacity per mL, normal / tumours. */
function treeFacts(tree: ArterialTree, plugLengthMm: number): { law: number; normalPerMl: number; tumourPerMl: number } {
  const gamma = tree.params.murrayExponent;
  const normal = tree.compartmentNames.indexOf("normal");
  const m = resolveCapacity({ plugLengthMm }, RESIN, tree);
  const law: number[] = [];
  let cn = 0, vn = 0, ct = 0, vt = 0;
  for (let j = 0; j < tree.segmentCount; j++) {
    if (tree.child0[j] >= 0) continue;
    const p = tree.parent[j];
    const c = vesselCapacity(m, tree.radiusMm[j], p >= 0 ? tree.radiusMm[p] : Infinity, tree.territoryMl[j], tree.flowMlPerMin[j], true);
    if (tree.compartment[j] === normal) {
      law.push(Math.pow(2000 * tree.radiusMm[j], gamma) / tree.territoryMl[j]);
      cn += c;
      vn += tree.territoryMl[j];
    } else {
      ct += c;
      vt += tree.territoryMl[j];
    }
  }
  law.sort((a, b) => a - b);
  return { law: law[Math.floor(law.length / 2)], normalPerMl: cn / vn, tumourPerMl: ct / vt };
}

if (args.includes("--onset")) {
  const plugArg = positional[0] === undefined ? EMBOLIC_DEFAULTS.plugLengthMm : Number(positional[0]);
  const seeds = (positional[1] ?? "7,8,9,10").split(",").map(Number);
  console.log(`plugLengthMm ${plugArg}\n\n| product | tree | stasis onset, spheres per mL | dose at onset (Gy) |\n|---|---|---:|---:|`);
  const row = (p: (typeof PRODUCTS)[keyof typeof PRODUCTS], treeName: string, tree: ArterialTree, volumeMl: number): void => {
    const diameterUm = { mean: p.diameter.meanUm, sd: p.diameter.sdUm, min: p.diameter.minUm, max: p.diameter.maxUm };
    const r = simulateTransport(tree, { spheres: Math.round(300_000 * volumeMl), diameterUm, embolic: { enabled: true, plugLengthMm: plugArg } }, 1);
    const onset = r.refluxStartedAtSpheres === null ? NaN : r.refluxStartedAtSpheres / volumeMl;
    const K = derivedDoseCoefficient(p.nuclide).valueGyKgPerGBq;
    const gyPerSpherePerMl = (p.activityPerSphereBq * 1e-9 * K) / (DEFAULT_TISSUE_DENSITY_G_PER_ML * 1e-3);
    console.log(`| ${p.name} | ${treeName} | ${onset.toFixed(0)} | ${(gyPerSpherePerMl * onset).toFixed(0)} |`);
  };
  for (const seed of seeds) {
    // The default liver without tumours (fixtures' reference geometry), injected at its root.
    const simCase = loadSimulationCase({ product: "sir-spheres", lungShuntFraction: 0, method: "partition", target: { compartment: "normal", doseGy: 40 }, tree: { terminals: 100_000, seed } }, "liver");
    const tree = growCaseTree(simCase);
    let volume = 0;
    for (let j = 0; j < tree.segmentCount; j++) if (tree.child0[j] < 0) volume += tree.territoryMl[j];
    for (const id of seed === seeds[0] ? (["sir-spheres", "therasphere", "quiremspheres"] as const) : (["sir-spheres"] as const)) {
      row(PRODUCTS[id], `grown liver, 100,000 terminals, tree seed ${seed}`, tree, volume);
    }
  }
  for (const T of [512, 4096]) {
    const territoryMl = 100 / T;
    const tree = buildSyntheticTree({ terminals: T, territoryMl, terminalRadiusMm: 0.5e-3 * Math.cbrt(GROWN_DGAMMA_UM3_PER_ML * territoryMl) });
    row(PRODUCTS["sir-spheres"], `synthetic, ${T} terminals (embolicGeometry.test.ts)`, tree, 100);
  }
  process.exit(0);
}

if (args.includes("--facts")) {
  console.log(`| terminals | tree seed | D_t^γ per mL, normal (µm³/mL) | branching entropy H (splitEntropy) |\n|---:|---:|---:|---:|`);
  for (const terminals of counts) {
    for (const treeSeed of treeSeeds) {
      const tree = cachedCaseTree(resolveCase({ json: caseJson(terminals, treeSeed, true), path: CASE }));
      console.log(`| ${terminals.toLocaleString("en-US")} | ${treeSeed} | ${treeFacts(tree, EMBOLIC_DEFAULTS.plugLengthMm).law.toExponential(3)} | ${splitEntropy(tree).toFixed(3)} |`);
    }
  }
  process.exit(0);
}

console.log(`| terminals | tree seed | D_t^γ per mL, normal (µm³/mL) | terminal capacity per mL, normal / tumours | T/N, feedback off | T/N, feedback on | change | spheres in non-terminal vessels (on) | reflux (on) | batches | CPU s (on) |`);
console.log(`|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|`);
for (const terminals of counts) {
  for (const treeSeed of treeSeeds) {
    const on = resolveCase({ json: caseJson(terminals, treeSeed, true), path: CASE });
    const off = resolveCase({ json: caseJson(terminals, treeSeed, false), path: CASE });
    const tree = cachedCaseTree(on);
    const plug = (caseJson(terminals, treeSeed, true).transport.embolic.plugLengthMm as number | undefined) ?? EMBOLIC_DEFAULTS.plugLengthMm;
    const facts = treeFacts(tree, plug);
    let batches = 0;
    const result = await withPool(2, async (pool) => {
      const a = await simulateCoreParallel(off, { stages: { tree }, pool });
      const cpu0 = cpuNow();
      const b = await simulateCoreParallel(on, { stages: { tree }, pool, onTransportProgress: (_i, _t, k) => (batches = k) });
      const cpu = cpuNow() - cpu0;
      if (overload === null) return { off: a, on: b, cpu, over: null };
      const sections = { ...b.sections, injection: { ...b.sections.injection, activityGBq: overload * b.sections.injection.activityGBq } };
      const { options } = transportOptionsFromSections(tree, sections, on.domain);
      const over = await simulateTransportParallel(tree, options, on.seed, pool);
      return { off: a, on: b, cpu, over };
    });
    const t = result.on.transport;
    let nonTerminal = 0, lodged = 0;
    for (let j = 0; j < tree.segmentCount; j++) {
      const s = t.segmentLodged[j];
      lodged += s;
      if (tree.child0[j] >= 0) nonTerminal += s;
    }
    const reflux = t.refluxStartedAtSpheres === null ? 0 : (t.spheresInjected - t.refluxStartedAtSpheres) / t.spheresInjected;
    const tnOff = result.off.transport.tumourToNormalRatio ?? NaN;
    const tnOn = t.tumourToNormalRatio ?? NaN;
    console.log(
      (result.over === null ? "" : `${overloadLine(result.over, tree)}\n`) +
      `| ${terminals.toLocaleString("en-US")} | ${treeSeed} | ${facts.law.toExponential(3)} | ${facts.normalPerMl.toFixed(0)} / ${facts.tumourPerMl.toFixed(0)} | ${tnOff.toFixed(3)} | ${tnOn.toFixed(3)} | ${(100 * (tnOn / tnOff - 1)).toFixed(1)} % | ${(100 * nonTerminal / lodged).toFixed(1)} % | ${(100 * reflux).toFixed(2)} %${t.stasis ? " (stasis)" : ""} | ${batches} | ${result.cpu.toFixed(1)} |`,
    );
  }
}

/**
 * The numbers of the README's "Performance notes", measured and written in one go:
 *
 *   npm run build && npx tsx bench/readme.ts     # a few minutes on 2 cores; run it on an idle machine
 *
 * Each measurement runs in its own process (its peak RSS and CPU time are its own). Writes
 * bench/readme-numbers.json and rewrites the README block between the `bench/readme.ts` markers;
 * test/docs/readme.test.ts checks that the block is the rendering of the JSON, so every
 * performance number the README states comes from this script. Wall-clock times depend on the
 * machine and its load (the load average is recorded); CPU times less so.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/** What one measurement reports. */
interface Measured {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  [key: string]: number | string;
}

export interface ReadmeNumbers {
  date: string;
  node: string;
  cores: number;
  loadAverageAtStart: number;
  defaultCase: Measured & { spheres: number; terminals: number };
  tree1e5: Measured;
  tree15e5: Measured;
  transport: { terminals: number; spheres: number; noFeedbackS: number; feedbackS: number; treeS: number };
  dose256: Measured;
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Child: grow the default case's tree with `terminals`. */
async function measureTree(terminals: number): Promise<Measured> {
  const { loadSimulationCase, growCaseTree } = await import("../src/index.js");
  const json = JSON.parse(readFileSync(join(root, "fixtures/cases/net-default.json"), "utf8")) as Record<string, unknown>;
  const simCase = loadSimulationCase({ ...json, tree: { ...(json.tree as object), terminals } }, "net-default.json");
  const t = performance.now();
  const c = process.cpuUsage();
  const tree = growCaseTree(simCase);
  return { wallS: (performance.now() - t) / 1000, cpuS: cpuSeconds(process.cpuUsage(c)), peakRssMb: peakRssMb(), segments: tree.segmentCount };
}

/** Child: 44 M resin spheres (3 GBq) on a 1e6-terminal tree of the default liver, without and with embolic feedback. */
async function measureTransport(): Promise<ReadmeNumbers["transport"]> {
  const { loadSimulationCase, growCaseTree, simulateTransport, spherePopulation, PRODUCTS } = await import("../src/index.js");
  const json = JSON.parse(readFileSync(join(root, "fixtures/cases/net-default.json"), "utf8")) as Record<string, unknown>;
  const terminals = 1_000_000;
  const simCase = loadSimulationCase({ ...json, tree: { ...(json.tree as object), terminals } }, "net-default.json");
  let t = performance.now();
  const tree = growCaseTree(simCase);
  const treeS = (performance.now() - t) / 1000;
  const population = spherePopulation(PRODUCTS["sir-spheres"], 3);
  const base = { spheres: population.sphereCount, diameterUm: population.diameterUm, lungShuntFraction: 0.05 };
  simulateTransport(tree, { ...base, spheres: 1_000_000 }, 2); // warm-up (JIT)
  t = performance.now();
  simulateTransport(tree, base, 1);
  const noFeedbackS = (performance.now() - t) / 1000;
  t = performance.now();
  simulateTransport(tree, { ...base, embolic: { enabled: true } }, 1);
  const feedbackS = (performance.now() - t) / 1000;
  return { terminals, spheres: population.sphereCount, noFeedbackS, feedbackS, treeS };
}

/** Child: a 256³ grid (2 mm) convolved with the Y-90 voxel S-values, one thread, best of 3. */
async function measureDose(): Promise<Measured> {
  const { doseFromActivity } = await import("../src/dose/convolve.js");
  const { createFftContext } = await import("../src/dose/fft3d.js");
  const { voxelSValues } = await import("../src/dose/svalues.js");
  const { axisAlignedGeometry } = await import("../src/geometry/grid.js");
  const { benchmarkActivity } = await import("./inputs.js");
  const n = 256;
  const g = axisAlignedGeometry([n, n, n], [2, 2, 2]);
  const activity = { ...g, data: benchmarkActivity(n) };
  const out = { ...g, data: new Float32Array(n ** 3) };
  const context = await createFftContext();
  const kernel = voxelSValues("Y-90", 2);
  let best: Measured = { wallS: Infinity, cpuS: Infinity, peakRssMb: 0 };
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    // A fresh kernel object each call: the kernel's spectrum is part of the work (as in bench/dose.ts).
    await doseFromActivity(out, activity, { ...kernel }, { context });
    const wallS = (performance.now() - t) / 1000;
    if (wallS < best.wallS) best = { wallS, cpuS: cpuSeconds(process.cpuUsage(c)), peakRssMb: 0 };
  }
  return { ...best, peakRssMb: peakRssMb() };
}

/** Parent: the default case through the built CLI, as `npm start` runs it (build excluded). */
function measureDefaultCase(): ReadmeNumbers["defaultCase"] {
  const dir = mkdtempSync(join(tmpdir(), "sirtsim-readme-"));
  try {
    const t = performance.now();
    const cpuBefore = childrenCpuSeconds();
    const r = spawnSync(process.execPath, [join(root, "dist/src/cli/main.js"), "simulate", join(root, "fixtures/cases/net-default.json"), "--out", join(dir, "out"), "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
    const wallS = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`simulate exited ${r.status}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout) as { spheresInjected: number; reproduce: { tree: { terminals: number } } };
    // The child's CPU (all its threads) is in this process's waited-for children's times.
    return { wallS, cpuS: childrenCpuSeconds() - cpuBefore, peakRssMb: 0, spheres: summary.spheresInjected, terminals: summary.reproduce.tree.terminals };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds of this process's waited-for children (fields cutime, cstime of /proc/self/stat). */
function childrenCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  const ticks = Number(fields[13]) + Number(fields[14]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

function child(kind: string, arg?: string): unknown {
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", kind, ...(arg ? [arg] : [])], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/readme.ts --child ${kind} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() as string);
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** The README block (between the markers) for a set of numbers. */
export function renderPerformance(n: ReadmeNumbers): string {
  const millions = (x: number) => `${(x / 1e6).toFixed(1)} million`;
  return [
    `Measured by \`npx tsx bench/readme.ts\` on ${n.date} (Node ${n.node}, ${n.cores} cores, load average ${f2(n.loadAverageAtStart)} at the start; bench/readme-numbers.json). Details, baselines and ratios in \`bench/*.md\`.`,
    "",
    `- The default NET case (\`sirtsim simulate fixtures/cases/net-default.json\`: ${n.defaultCase.terminals.toLocaleString("en")} terminals, ${millions(n.defaultCase.spheres)} spheres with embolic feedback, 2 mm dose grid): ${f1(n.defaultCase.wallS)} s wall, ${f1(n.defaultCase.cpuS)} s CPU (build excluded).`,
    `- Tree growth of the default liver: 1e5 terminals in ${f1(n.tree1e5.wallS)} s (${f1(n.tree1e5.cpuS)} s CPU, ${Math.round(n.tree1e5.peakRssMb)} MB peak); 1.5 M terminals (portal-tract resolution, whole liver) in ${f1(n.tree15e5.wallS)} s (${f1(n.tree15e5.cpuS)} s CPU, ${Math.round(n.tree15e5.peakRssMb)} MB peak).`,
    `- Transport: ${millions(n.transport.spheres)} resin spheres (3 GBq) on a ${n.transport.terminals.toLocaleString("en")}-terminal tree of the default liver in ${f1(n.transport.noFeedbackS)} s without embolic feedback, ${f1(n.transport.feedbackS)} s with it.`,
    `- Dose: a 256³ grid convolved with the Y-90 voxel S-values in ${f2(n.dose256.wallS)} s on one thread (comparison with scipy's \`fftconvolve\`: \`bench/dose.md\`).`,
    "- Results are bit-identical for any number of workers and shards (tests); speed-ups on two workers: `bench/parallel.md`.",
  ].join("\n");
}

export const BEGIN = "<!-- bench/readme.ts: begin (generated, do not edit) -->";
export const END = "<!-- bench/readme.ts: end -->";

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    const kind = argv[1];
    const out = kind === "tree" ? await measureTree(Number(argv[2])) : kind === "transport" ? await measureTransport() : await measureDose();
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const numbers: ReadmeNumbers = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cores: (await import("node:os")).availableParallelism(),
    loadAverageAtStart: loadavg()[0],
    defaultCase: measureDefaultCase(),
    tree1e5: child("tree", "100000") as Measured,
    tree15e5: child("tree", "1500000") as Measured,
    transport: child("transport") as ReadmeNumbers["transport"],
    dose256: child("dose") as Measured,
  };
  writeFileSync(join(root, "bench/readme-numbers.json"), `${JSON.stringify(numbers, null, 2)}\n`);
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error("README.md has no bench/readme.ts markers");
  writeFileSync(join(root, "README.md"), `${readme.slice(0, a + BEGIN.length)}\n${renderPerformance(numbers)}\n${readme.slice(b)}`);
  process.stderr.write(`wrote bench/readme-numbers.json and the README's performance notes\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

/**
 * Tree growth benchmark: time and peak memory vs number of terminals, each size in a fresh
 * process (peak RSS = process.resourceUsage().maxRSS), and the candidate-search baseline measured
 * in the same run: k-nearest segments by the spatial grid (segmentIndex.ts) vs a naive scan of
 * every segment (what an O(N²) CCO does per added terminal).
 *
 *   npx tsx bench/tree.ts            # 1e3, 1e4, 1e5, 1e6 terminals + baseline
 *   npx tsx bench/tree.ts 1500000    # other sizes
 *   npx tsx bench/tree.ts --morphometry 1000000   # Strahler table, default vs asymmetry 0
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildDomain, DEFAULT_LIVER_ELLIPSOIDS } from "../src/geometry/build.js";
import { growTreeDetailed } from "../src/vascular/grow.js";
import { treeSummary } from "../src/vascular/export.js";
import { morphometry } from "../src/vascular/morphometry.js";
import { SegmentIndex, pointSegmentDistance } from "../src/vascular/segmentIndex.js";
import { createStream } from "../src/random/stream.js";

const GEOMETRY = {
  liver: { ellipsoids: DEFAULT_LIVER_ELLIPSOIDS },
  tumours: [
    { name: "met-1", centerMm: [45, 10, 5] as [number, number, number], radiusMm: 20, tnRatio: 3 },
    { name: "met-2", centerMm: [-50, 15, 10] as [number, number, number], radiusMm: 12, tnRatio: 5, necroticCoreFraction: 0.4 },
  ],
};

function one(terminals: number, asymmetry?: number, tumourPressureMmHg?: number): void {
  const geometry = tumourPressureMmHg === undefined ? GEOMETRY : { ...GEOMETRY, tumours: GEOMETRY.tumours.map((t) => ({ ...t, terminalPressureMmHg: tumourPressureMmHg })) };
  const domain = buildDomain(geometry);
  const started = performance.now();
  const { tree, stats } = growTreeDetailed(domain, asymmetry === undefined ? { terminals } : { terminals, asymmetry }, 1);
  const seconds = (performance.now() - started) / 1000;
  const s = treeSummary(tree);
  const mem = process.memoryUsage();
  process.stdout.write(
    JSON.stringify({
      terminals,
      asymmetry: asymmetry ?? "default",
      seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      heapUsedMb: mem.heapUsed / 2 ** 20,
      arrayBuffersMb: mem.arrayBuffers / 2 ** 20,
      segments: s.segments,
      generations: s.generations,
      rootRadiusMm: s.rootRadiusMm,
      tumourFlowFraction: s.tumourFlowFraction,
      fallbacks: stats.constraintFallbacks,
    }) + "\n",
  );
}

/** k-nearest by grid vs naive scan over `count` random segments in the liver box. */
function baseline(count: number, queries: number): { gridUs: number; naiveUs: number } {
  const s = createStream(5, 0);
  const lo = [-110, -70, -60], hi = [95, 70, 60];
  const ends = new Float64Array(6 * count);
  const box = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  const lengthMm = 2 * Math.cbrt(box / count);
  const index = new SegmentIndex(lo, hi, Math.cbrt(box / (2 * count)), count);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < 3; k++) ends[6 * i + k] = lo[k] + (hi[k] - lo[k]) * s.nextFloat();
    for (let k = 0; k < 3; k++) ends[6 * i + 3 + k] = ends[6 * i + k] + lengthMm * (s.nextFloat() - 0.5);
    index.set(i, ends[6 * i], ends[6 * i + 1], ends[6 * i + 2], ends[6 * i + 3], ends[6 * i + 4], ends[6 * i + 5]);
  }
  const q = new Float64Array(3 * queries);
  for (let i = 0; i < 3 * queries; i++) q[i] = lo[i % 3] + (hi[i % 3] - lo[i % 3]) * s.nextFloat();
  const ids: number[] = [], dist: number[] = [];
  let t0 = performance.now();
  let check = 0;
  for (let j = 0; j < queries; j++) check += index.nearest(q[3 * j], q[3 * j + 1], q[3 * j + 2], 12, ids, dist);
  const gridUs = ((performance.now() - t0) * 1000) / queries;
  const d = new Float64Array(count);
  t0 = performance.now();
  for (let j = 0; j < queries; j++) {
    for (let i = 0; i < count; i++) d[i] = pointSegmentDistance(q[3 * j], q[3 * j + 1], q[3 * j + 2], ends[6 * i], ends[6 * i + 1], ends[6 * i + 2], ends[6 * i + 3], ends[6 * i + 4], ends[6 * i + 5]);
    check += d.subarray(0, 12).sort()[0];
  }
  const naiveUs = ((performance.now() - t0) * 1000) / queries;
  if (!Number.isFinite(check)) throw new Error("unreachable");
  return { gridUs, naiveUs };
}

/** Morphometry of the default tree and of the symmetric one (asymmetry 0), same seed and sites. */
function morphometryTables(terminals: number): void {
  const domain = buildDomain(GEOMETRY);
  for (const asymmetry of [1, 0]) {
    const tree = growTreeDetailed(domain, { terminals, asymmetry }, 1).tree;
    const m = morphometry(tree);
    console.log(`\n### ${terminals.toExponential(1)} terminals, asymmetry ${asymmetry}\n`);
    console.log(`Horton (elements, orders with ≥ 10): R_B ${m.branchingRatio.toFixed(2)}, R_r ${m.radiusRatio.toFixed(2)}, R_L ${m.lengthRatio.toFixed(2)}; ` +
      `mean flow split (small/large) ${m.meanFlowSplitRatio.toFixed(2)}, median daughter radius ratio ${m.medianDaughterRadiusRatio.toFixed(2)}, mean area expansion ${m.meanAreaExpansionRatio.toFixed(2)}\n`);
    console.log("| order | segments | elements | mean r (mm) | mean element L (mm) | element L / r | segment L / r |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    for (const o of m.orders) {
      console.log(`| ${o.order} | ${o.segments} | ${o.elements} | ${o.meanRadiusMm.toPrecision(3)} | ${o.meanElementLengthMm.toPrecision(3)} | ${o.elementLengthOverRadius.toFixed(1)} | ${o.meanLengthOverRadius.toFixed(1)} |`);
    }
    const g = m.meanRadiusByGenerationMm;
    console.log(`\nMean radius (mm) by generation 0–15: ${g.slice(0, 16).map((r) => r.toPrecision(2)).join(", ")}`);
  }
}

const args = process.argv.slice(2);
if (args[0] === "--one") {
  const optional = (v: string | undefined) => (v === undefined || v === "-" ? undefined : Number(v));
  one(Number(args[1]), optional(args[2]), optional(args[3]));
} else if (args[0] === "--morphometry") {
  morphometryTables(Number(args[1] ?? 1e6));
} else {
  const sizes = args.length > 0 ? args.map(Number) : [1e3, 1e4, 1e5, 1e6];
  const self = fileURLToPath(import.meta.url);
  console.log("| terminals | subtrees | segments | time (s) | peak RSS (MB) | heap used (MB) | generations min/mean/max | root r (mm) | tumour flow | constraint fallbacks |");
  console.log("|---:|---|---:|---:|---:|---:|---|---:|---:|---:|");
  // The largest size once more with the symmetric subtrees (asymmetry 0) as the baseline, and with
  // both tumours draining at 35 mmHg (iterated sizing, murrayRadiiWithPressures).
  const runs: [number, string[]][] = sizes.map((n) => [n, []]);
  runs.push([sizes[sizes.length - 1], ["0"]]);
  runs.push([sizes[sizes.length - 1], ["-", "35"]]);
  for (const [n, extra] of runs) {
    const r = spawnSync(process.execPath, ["--import", "tsx", self, "--one", String(n), ...extra], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status !== 0) {
      console.log(`| ${n} | failed: ${r.stderr.split("\n").slice(0, 3).join(" ")} |`);
      continue;
    }
    const x = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const g = x.generations;
    console.log(
      `| ${n.toExponential(1)} | ${extra.length === 0 ? "default (asymmetry 1)" : extra[0] === "0" ? "symmetric (asymmetry 0)" : "default, tumours at 35 mmHg"} | ${x.segments} | ${x.seconds.toFixed(2)} | ${x.peakRssMb.toFixed(0)} | ${x.heapUsedMb.toFixed(0)} | ${g.min}/${g.mean.toFixed(1)}/${g.max} | ${x.rootRadiusMm.toFixed(3)} | ${x.tumourFlowFraction.toFixed(4)} | ${x.fallbacks} |`,
    );
  }
  console.log("\nCandidate search per added terminal (12 nearest segments), grid index vs naive scan:\n");
  console.log("| segments | grid (µs/query) | naive scan (µs/query) | naive / grid |");
  console.log("|---:|---:|---:|---:|");
  for (const count of [2000, 8000, 32000, 128000]) {
    const { gridUs, naiveUs } = baseline(count, 2000);
    console.log(`| ${count} | ${gridUs.toFixed(2)} | ${naiveUs.toFixed(1)} | ${(naiveUs / gridUs).toFixed(0)}× |`);
  }
}

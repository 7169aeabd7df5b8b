/**
 * growTree: the whole hepatic arterial tree for a domain, deterministic for a seed.
 *
 * 1. Terminal sites: N points with density ∝ perfusion, flows per compartment (sample.ts), each
 *    terminal's flow ∝ the tissue of its tessellation cell (territories.ts).
 * 2. Couinaud segments from the geometry and the named arteries above them (couinaud.ts).
 * 3. In each segment, the sites are partitioned into compact territories of equal flow; an
 *    optimised tree (constrained constructive optimisation with a spatial index, cco.ts) connects
 *    the territory centroids, and below each territory a bisection subtree (bisect.ts) reaches
 *    every site.
 * 4. Radii by Murray's law with the reduced-resistance sizing (murray.ts); flows recomputed by
 *    Poiseuille (hemodynamics.ts) and stored.
 * Random streams: 1 = site sampling, 100 + Couinaud segment = growth inside that segment,
 * subtreeStream(seed, segment, territory) = split fractions of that territory's bisection subtree.
 */
import type { Domain } from "../geometry/domain.js";
import { compartmentNames, labelAt } from "../geometry/domain.js";
import { buildDomain, DEFAULT_LIVER_ELLIPSOIDS } from "../geometry/build.js";
import type { Vec3 } from "../geometry/grid.js";
import { integrateDomain } from "../geometry/integrate.js";
import type { DomainIntegral } from "../geometry/integrate.js";
import { InputError, checkRange } from "../errors.js";
import { BisectScratch, centroidAndAxis, emitBisection, partitionIntoClusters, subtreeStream } from "./bisect.js";
import { HEPATIC_SKELETON, couinaudLabels, skeletonLeafOrder } from "./couinaud.js";
import type { SkeletonNode } from "./couinaud.js";
import { OptimisedIndex, growOptimisedSegment } from "./cco.js";
import { createSubtreeEquivalents, distributeFlows, reduceSubtrees, segmentResistances } from "./hemodynamics.js";
import { murrayRadii, murrayRadiiWithPressures } from "./murray.js";
import { moveOverlappingPoints, optimisedClearance, optimisedOverlaps } from "./clearance.js";
import type { ClearanceReport } from "./clearance.js";
import { sampleTerminalSites } from "./sample.js";
import { tessellateTerritories } from "./territories.js";
import type { TerminalSites } from "./sample.js";
import type { ArterialTree, NonTargetBranch } from "./tree.js";
import { M3_PER_S_PER_ML_PER_MIN, PA_PER_MMHG } from "./tree.js";
import { TreeWriter } from "./writer.js";

/**
 * The reference arterial inflow: 400 mL/min into the proper hepatic artery of an adult liver
 * (reference anatomy, fixtures' sources), for the default liver of 1.59 L (DEFAULT_LIVER_ELLIPSOIDS).
 */
export const REFERENCE_ROOT_FLOW_ML_PER_MIN = 400;
let referenceLiverMl: number | undefined;
/** The default liver's volume as integrateDomain measures it (computed once): the reference flow's liver. */
export function referenceLiverVolumeMl(): number {
  referenceLiverMl ??= integrateDomain(buildDomain({ liver: { ellipsoids: DEFAULT_LIVER_ELLIPSOIDS }, tumours: [] })).liverVolumeMl;
  return referenceLiverMl;
}

/**
 * tree.rootFlowMlPerMin "auto" (the case file's default): the reference inflow scaled by the liver's
 * volume, i.e. the same arterial flow per mL of liver (0.25 mL/min per mL) for every liver. Why:
 * the tree is sized so that its root carries this flow over a fixed pressure drop, so a fixed
 * 400 mL/min in a smaller liver widened every lumen (a 199 mL liver at 16.4 mg per terminal:
 * median terminal lumen 95.4 µm against 58.5 µm in the default liver; 56.7 µm at 50 mL/min), and
 * the size exclusion, the stopping-site capacity (plugLengthMm is calibrated on the default liver's
 * lumen law) and the resolution study all assume the default liver's lumens per tissue mass.
 * Rounded to 0.1 mL/min, so that every case on the default liver gets exactly 400. That the flow
 * scales with the volume is an assumption (hepatic arterial flow per tissue mass taken as constant).
 */
export function autoRootFlowMlPerMin(liverVolumeMl: number): number {
  return Math.round((10 * REFERENCE_ROOT_FLOW_ML_PER_MIN * liverVolumeMl) / referenceLiverVolumeMl()) / 10;
}

export interface GrowOptions {
  /** Number of terminals (arterioles); ~1.5 M for a whole liver at portal-tract resolution. */
  readonly terminals: number;
  /** Terminals of the optimised part (territories); the rest are bisection subtrees. */
  readonly optimisedTerminals: number;
  /** Murray exponent γ. */
  readonly murrayExponent: number;
  /**
   * Flow into the proper hepatic artery, mL/min; "auto": the reference flow scaled by the liver's
   * volume (autoRootFlowMlPerMin), resolved when the tree is grown.
   */
  readonly rootFlowMlPerMin: number | "auto";
  readonly inletPressureMmHg: number;
  readonly terminalPressureMmHg: number;
  readonly viscosityMPaS: number;
  /** Bisection subtrees: branch point at parent + f·(centroid − parent). */
  readonly branchFraction: number;
  /**
   * Bisection subtrees: the smaller daughter gets a share ½·U^a of the sites (0 = median split,
   * symmetric subtrees; 1 = share uniform on (0, ½]). See bisect.ts SubtreeShape.
   */
  readonly asymmetry: number;
  /** Share of sites right of the Cantlie plane. */
  readonly rightFraction: number;
  /** Share of sites in the caudate (S1). */
  readonly caudateFraction: number;
  /** Candidate segments examined per optimised terminal. */
  readonly candidateSegments: number;
  /** Hilum (distal end of the proper hepatic artery), mm; derived from the geometry when absent. */
  readonly hilumMm?: Vec3 | undefined;
  /** Inlet of the proper hepatic artery relative to the hilum, mm. */
  readonly inletOffsetMm: Vec3;
  /**
   * Terminal flows: "tessellation" (default) — each terminal's flow ∝ the tissue it supplies (its
   * cell of a lattice tessellation, territories.ts), so a region's flow does not carry the
   * placement noise of how many terminals fell in it; "equal" — every terminal of a compartment
   * carries the same flow (the nominal territories of sample.ts).
   */
  readonly terminalFlows?: "tessellation" | "equal";
  /** Non-target branch leaving at the root's inlet (reflux destination); null for none. */
  readonly nonTarget: { readonly name: string; readonly flowMlPerMin: number; readonly radiusMm: number } | null;
}

export const DEFAULT_GROW_OPTIONS: GrowOptions = {
  terminals: 10_000,
  optimisedTerminals: 2000,
  murrayExponent: 3,
  rootFlowMlPerMin: REFERENCE_ROOT_FLOW_ML_PER_MIN,
  inletPressureMmHg: 98,
  terminalPressureMmHg: 25,
  viscosityMPaS: 3.5,
  branchFraction: 0.5,
  asymmetry: 1,
  rightFraction: 0.6,
  caudateFraction: 0.04,
  candidateSegments: 12,
  inletOffsetMm: [-15, -10, -30],
  nonTarget: { name: "gastroduodenal", flowMlPerMin: 60, radiusMm: 1.5 },
};

/** Allowed number of terminals (schema, library and the `--terminals` option share it). */
export const TERMINALS_RANGE = { min: 2, max: 50_000_000 } as const;

/** Upper bound on the post-growth clearance repair passes (each re-sizes the tree, O(N)). */
const MAX_REPAIR_PASSES = 20;

/** Depth-dependent position of the named branch points between the hilum and their territory. */
const SKELETON_REACH = [0, 0.3, 0.5, 0.65, 0.75];

function checkOptions(o: GrowOptions): void {
  const integer = (field: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v)) throw new InputError(field, `${field} must be an integer in [${min}, ${max}], got ${v}`);
    checkRange(field, v, min, max);
  };
  integer("tree.terminals", o.terminals, TERMINALS_RANGE.min, TERMINALS_RANGE.max);
  integer("tree.optimisedTerminals", o.optimisedTerminals, 1, 1_000_000);
  integer("tree.candidateSegments", o.candidateSegments, 1, 1000);
  checkRange("tree.murrayExponent", o.murrayExponent, 2, 4);
  if (o.rootFlowMlPerMin !== "auto") checkRange("tree.rootFlowMlPerMin", o.rootFlowMlPerMin, 0, 1e5, { minOpen: true });
  checkRange("tree.viscosityMPaS", o.viscosityMPaS, 0, 100, { minOpen: true });
  checkRange("tree.terminalPressureMmHg", o.terminalPressureMmHg, 0, 300);
  checkRange("tree.inletPressureMmHg", o.inletPressureMmHg, o.terminalPressureMmHg, 300, { minOpen: true });
  checkRange("tree.branchFraction", o.branchFraction, 0, 1, { minOpen: true });
  checkRange("tree.asymmetry", o.asymmetry, 0, 4);
  checkRange("tree.rightFraction", o.rightFraction, 0, 1);
  checkRange("tree.caudateFraction", o.caudateFraction, 0, 0.5);
}

interface GrowContext {
  readonly w: TreeWriter;
  readonly sites: TerminalSites;
  readonly perm: Int32Array;
  readonly scratch: BisectScratch;
  readonly options: GrowOptions;
  readonly domain: Domain;
  readonly seed: number;
  readonly hilum: Vec3;
  readonly inlet: Vec3;
  /** Site range of every Couinaud segment (index = segment number). */
  readonly rangeLo: Int32Array;
  readonly rangeHi: Int32Array;
  readonly entryPoints: Record<string, number>;
  readonly totalFlow: number;
  readonly shared: OptimisedIndex;
  /** Distal points of the named (skeleton) arteries, placed by planNode. */
  readonly skeletonPoints: Map<SkeletonNode, Vec3>;
}

function leafRange(ctx: GrowContext, node: SkeletonNode): [number, number] {
  if (node.children.length === 0) return [ctx.rangeLo[node.segment], ctx.rangeHi[node.segment]];
  const a = leafRange(ctx, node.children[0]);
  const b = leafRange(ctx, node.children[node.children.length - 1]);
  return [a[0], b[1]];
}

function rangeFlow(ctx: GrowContext, lo: number, hi: number): number {
  let q = 0;
  for (let k = lo; k < hi; k++) q += ctx.sites.flowMlPerMin[ctx.perm[k]];
  return q;
}

/** Emit the arteries of one Couinaud segment: optimised tree to territories, bisection below. */
function emitSegment(ctx: GrowContext, segment: number, parent: number, lo: number, hi: number, rootDistal: Float64Array | null): number {
  const { w, sites, perm, scratch, options } = ctx;
  const n = hi - lo;
  const share = rangeFlow(ctx, lo, hi) / ctx.totalFlow;
  const clusters = Math.max(1, Math.min(n, Math.round(options.optimisedTerminals * share)));
  if (clusters < 3 || rootDistal !== null) {
    const shape = { branchFraction: options.branchFraction, asymmetry: options.asymmetry, stream: subtreeStream(ctx.seed, segment, 0) };
    const seg = emitBisection(w, scratch, sites, perm, lo, hi, parent, shape, rootDistal);
    w.optimised[seg] = 1;
    return seg;
  }
  const starts = new Int32Array(clusters + 1);
  partitionIntoClusters(scratch, sites, perm, lo, hi, clusters, starts);
  return growOptimisedSegment(ctx.w, ctx.domain, sites, perm, starts, scratch, parent, ctx.shared, options, ctx.seed, segment);
}

function emitNode(ctx: GrowContext, node: SkeletonNode, parent: number, depth: number): number {
  const [lo, hi] = leafRange(ctx, node);
  if (hi <= lo) return -1;
  const root = parent < 0;
  const w = ctx.w;
  if (node.children.length === 0) {
    const rootDistal = root ? Float64Array.from(ctx.hilum) : null;
    const seg = emitSegment(ctx, node.segment, parent, lo, hi, rootDistal);
    if (root) w.proximalMm.set(ctx.inlet, 0);
    ctx.entryPoints[node.name] = seg;
    return seg;
  }
  const nonEmpty = node.children.filter((c) => {
    const [a, b] = leafRange(ctx, c);
    return b > a;
  });
  if (nonEmpty.length === 1) {
    const seg = emitNode(ctx, nonEmpty[0], parent, depth);
    ctx.entryPoints[node.name] = seg;
    return seg;
  }
  const point = ctx.skeletonPoints.get(node)!;
  const seg = root
    ? w.emit(-1, point[0], point[1], point[2], ctx.inlet[0], ctx.inlet[1], ctx.inlet[2])
    : w.emit(parent, point[0], point[1], point[2]);
  w.optimised[seg] = 1;
  ctx.entryPoints[node.name] = seg;
  for (const child of nonEmpty) emitNode(ctx, child, seg, depth + 1);
  return seg;
}

/**
 * Place the named branch points (before any optimised growth, so that every Couinaud segment's
 * growth sees all named arteries in the clearance checks) and register them in the shared index.
 */
function planNode(ctx: GrowContext, node: SkeletonNode, parentPoint: Vec3, depth: number, root: boolean): void {
  const [lo, hi] = leafRange(ctx, node);
  if (hi <= lo || node.children.length === 0) return;
  const nonEmpty = node.children.filter((c) => {
    const [a, b] = leafRange(ctx, c);
    return b > a;
  });
  if (nonEmpty.length === 1) {
    planNode(ctx, nonEmpty[0], parentPoint, depth, root);
    return;
  }
  let point: Vec3;
  if (root) point = [...ctx.hilum];
  else {
    centroidAndAxis(ctx.scratch, ctx.sites, ctx.perm, lo, hi);
    const reach = SKELETON_REACH[Math.min(depth, SKELETON_REACH.length - 1)];
    const c = ctx.scratch.centroid;
    const h = ctx.hilum;
    point = [h[0] + reach * (c[0] - h[0]), h[1] + reach * (c[1] - h[1]), h[2] + reach * (c[2] - h[2])];
  }
  ctx.skeletonPoints.set(node, point);
  // Radius estimate for the clearance checks: Murray r ∝ Q^(1/3) from the ~1.4 mm root radius
  // these trees get at the default flow and pressures.
  const radiusEstimateMm = 1.4 * Math.cbrt(rangeFlow(ctx, lo, hi) / ctx.totalFlow);
  ctx.shared.add(parentPoint[0], parentPoint[1], parentPoint[2], point[0], point[1], point[2], radiusEstimateMm);
  for (const child of nonEmpty) planNode(ctx, child, point, depth + 1, false);
}

/** Hilum: the geometric one if it is in the liver, else pulled towards the sites' centroid until it is. */
function hilumInside(domain: Domain, hilum: Vec3, centroid: Float64Array): Vec3 {
  for (let t = 0; t <= 20; t++) {
    const f = t / 20;
    const p: Vec3 = [hilum[0] + f * (centroid[0] - hilum[0]), hilum[1] + f * (centroid[1] - hilum[1]), hilum[2] + f * (centroid[2] - hilum[2])];
    if (labelAt(domain, p[0], p[1], p[2]) !== 0) return p;
  }
  return [centroid[0], centroid[1], centroid[2]];
}

export interface GrowthStats {
  /** Connections made by the optimised growth. */
  readonly connections: number;
  /** Of those, connections accepted although no trial met the inside-liver and clearance constraints. */
  readonly constraintFallbacks: number;
  /** Lumen clearance of the optimised part with the final radii (clearance.ts). */
  readonly clearance: ClearanceReport;
  /**
   * Post-growth clearance repair: overlapping pairs with the radii after the first sizing, bifurcation
   * points moved, and re-sizing passes (0 when the grown tree had no overlap).
   */
  readonly clearanceRepair: { readonly overlapsBefore: number; readonly pointsMoved: number; readonly passes: number };
  /** The domain's compartment volumes and perfusion integrals used for the flows. */
  readonly integral: DomainIntegral;
  /**
   * Wall and CPU seconds of the growth's stages, for benchmarks (bench/scale.ts); CPU time is the
   * process's (every thread: on a pool the tessellation's owner search runs on all workers,
   * src/parallel/tree.ts). Not part of any output.
   */
  readonly stageSeconds: Readonly<Record<GrowthStage, { readonly wall: number; readonly cpu: number }>>;
}

/** The stages of growTreeDetailed, timed in GrowthStats.stageSeconds. */
export type GrowthStage = "sites" | "tessellation" | "growth" | "sizingAndFlow" | "clearance";

/** CPU seconds of this process (0 where there is no `process`, as in the playground's browser worker). */
function cpuSeconds(): number {
  const usage = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process?.cpuUsage?.();
  return usage === undefined ? 0 : (usage.user + usage.system) / 1e6;
}

/** Wall and CPU seconds since the last mark, per stage. */
export function stageClock(): { mark: (stage: GrowthStage) => void; seconds: Record<GrowthStage, { wall: number; cpu: number }> } {
  const seconds = {} as Record<GrowthStage, { wall: number; cpu: number }>;
  let wall = performance.now();
  let cpu = cpuSeconds();
  return {
    seconds,
    mark(stage) {
      const now = performance.now();
      const used = cpuSeconds();
      seconds[stage] = { wall: (now - wall) / 1000, cpu: used - cpu };
      wall = now;
      cpu = used;
    },
  };
}

/**
 * The checked options, the domain's integral, the resolved root flow and the terminal sites of a
 * growth, before the tessellation (growTreeDetailed's first stage; src/parallel/tree.ts runs it on
 * a worker and the tessellation's owner search on the pool).
 */
export function growthSites(domain: Domain, options: Partial<GrowOptions>, seed: number, integral: DomainIntegral | undefined): GrowthSetup & { readonly sites: TerminalSites } {
  const setup = growthSetup(domain, options, seed, integral);
  return { ...setup, sites: sampleTerminalSites(domain, setup.integral, setup.options.terminals, setup.rootFlowMlPerMin, seed) };
}

interface GrowthSetup {
  readonly options: GrowOptions;
  readonly integral: DomainIntegral;
  readonly rootFlowMlPerMin: number;
}

/** The checked options (InputError naming the field), the domain's integral and the resolved root flow. */
function growthSetup(domain: Domain, options: Partial<GrowOptions>, seed: number, integral: DomainIntegral | undefined): GrowthSetup {
  const o: GrowOptions = { ...DEFAULT_GROW_OPTIONS, ...options };
  checkOptions(o);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError("tree.seed", `tree.seed must be an integer in [0, 4294967295], got ${seed}`);
  domain.tumours.forEach((t, k) => {
    if (t.terminalPressureMmHg !== undefined) {
      checkRange(`geometry.tumours[${k}].terminalPressureMmHg`, t.terminalPressureMmHg, 0, o.inletPressureMmHg, { maxOpen: true });
    }
  });
  const integ = integral ?? integrateDomain(domain);
  const rootFlowMlPerMin = o.rootFlowMlPerMin === "auto" ? autoRootFlowMlPerMin(integ.liverVolumeMl) : o.rootFlowMlPerMin;
  return { options: o, integral: integ, rootFlowMlPerMin };
}

/** Whether the growth's terminal flows come from the tessellation (the default) rather than equal shares. */
export function tessellates(options: Partial<GrowOptions>): boolean {
  return (options.terminalFlows ?? DEFAULT_GROW_OPTIONS.terminalFlows ?? "tessellation") === "tessellation";
}

/**
 * growTree with growth statistics. `tessellated`: the sites of growthSites(domain, options, seed,
 * integral) after the tessellation, when it was run elsewhere (src/parallel/tree.ts) — the tree
 * is then the same as without it; their stages' seconds read 0.
 */
export function growTreeDetailed(
  domain: Domain,
  options: Partial<GrowOptions> = {},
  seed = 1,
  integral?: DomainIntegral,
  tessellated?: TerminalSites,
): { tree: ArterialTree; stats: GrowthStats } {
  const clock = stageClock();
  const { options: o, integral: integ, rootFlowMlPerMin, sites } = tessellated === undefined ? growthSites(domain, options, seed, integral) : { ...growthSetup(domain, options, seed, integral), sites: tessellated };
  const N = o.terminals;
  if (sites.count !== N) throw new Error(`growTreeDetailed: ${sites.count} tessellated sites for ${N} terminals`);
  // The options with the flow resolved, as the sizing (finishTree) reads them.
  const sized = { ...o, rootFlowMlPerMin };
  clock.mark("sites");
  if (tessellated === undefined && tessellates(o)) tessellateTerritories(domain, integ, sites, rootFlowMlPerMin);
  clock.mark("tessellation");

  // Group the sites by Couinaud segment in skeleton leaf order.
  const labels = couinaudLabels(sites, o.rightFraction, o.caudateFraction);
  const order = skeletonLeafOrder();
  const counts = new Int32Array(9);
  for (let i = 0; i < N; i++) counts[labels.segment[i]]++;
  const rangeLo = new Int32Array(9);
  const rangeHi = new Int32Array(9);
  let at = 0;
  for (const s of order) {
    rangeLo[s] = at;
    at += counts[s];
    rangeHi[s] = at;
  }
  const perm = new Int32Array(N);
  const fill = Int32Array.from(rangeLo);
  for (let i = 0; i < N; i++) perm[fill[labels.segment[i]]++] = i;

  const scratch = new BisectScratch(N);
  centroidAndAxis(scratch, sites, perm, 0, N);
  const hilum = o.hilumMm !== undefined ? ([...o.hilumMm] as Vec3) : hilumInside(domain, labels.hilumMm, scratch.centroid);
  const inlet: Vec3 = [hilum[0] + o.inletOffsetMm[0], hilum[1] + o.inletOffsetMm[1], hilum[2] + o.inletOffsetMm[2]];
  const w = new TreeWriter(N);
  let totalFlow = 0;
  for (let i = 0; i < N; i++) totalFlow += sites.flowMlPerMin[i];
  const lo = domain.boundsMm.minMm.map((v, k) => Math.min(v, inlet[k]) - 1);
  const hi = domain.boundsMm.maxMm.map((v, k) => Math.max(v, inlet[k]) + 1);
  const boxMm3 = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  const cellMm = Math.max(1, Math.cbrt(boxMm3 / (2 * Math.min(o.optimisedTerminals, N) + 16)));
  const shared = new OptimisedIndex(lo, hi, cellMm, 2 * Math.min(o.optimisedTerminals, N) + 64);
  const ctx: GrowContext = { w, sites, perm, scratch, options: o, domain, seed, hilum, inlet, rangeLo, rangeHi, entryPoints: {}, totalFlow, shared, skeletonPoints: new Map() };
  planNode(ctx, HEPATIC_SKELETON, inlet, 0, true);
  emitNode(ctx, HEPATIC_SKELETON, -1, 0);
  if (w.count !== w.capacity) throw new Error(`growTree: emitted ${w.count} segments, expected ${w.capacity}`);
  clock.mark("growth");
  let tree = finishTree(w, domain, sized, seed, ctx.entryPoints);
  clock.mark("sizingAndFlow");
  // Lumen clearance with the final radii: the growth checks it with the radii of the growing tree,
  // which still widen afterwards (more territories join below a segment; the bisection subtrees
  // and the named arteries change the reduced resistances). Move the offending bifurcation points
  // apart and re-size until no non-adjacent optimised pair overlaps (clearance.ts).
  const overlapsBefore = optimisedOverlaps(tree);
  let repairMoves = 0, repairPasses = 0;
  for (let pairs = overlapsBefore; pairs.length > 0 && repairPasses < MAX_REPAIR_PASSES; pairs = optimisedOverlaps(tree)) {
    const moved = moveOverlappingPoints(tree, pairs, (x, y, z) => labelAt(domain, x, y, z) !== 0);
    if (moved === 0) break;
    repairMoves += moved;
    repairPasses++;
    tree = finishTree(w, domain, sized, seed, ctx.entryPoints);
  }
  const clearanceRepair = { overlapsBefore: overlapsBefore.length, pointsMoved: repairMoves, passes: repairPasses };
  const clearance = optimisedClearance(tree);
  clock.mark("clearance");
  return { tree, stats: { connections: shared.connections, constraintFallbacks: shared.fallbacks, clearance, clearanceRepair, integral: integ, stageSeconds: clock.seconds } };
}

/** Grow, size and solve the tree. `options` override DEFAULT_GROW_OPTIONS. */
export function growTree(domain: Domain, options: Partial<GrowOptions> = {}, seed = 1, integral?: DomainIntegral): ArterialTree {
  return growTreeDetailed(domain, options, seed, integral).tree;
}

/**
 * Shortest segment length of the sizing, mm (1 nm). A terminal whose site is its parent's distal
 * point (a 2-terminal tree whose hilum estimate is one of the two sites) has length 0, hence no
 * resistance, and the Murray ratio of its bifurcation is 0/0: the sizing failed with a NaN radius
 * (exit 1 on an accepted tree.terminals). Grown trees' shortest segments are ~2 µm at 1.5e6
 * terminals (default case, tree seeds 7 and 8), so no other tree changes.
 */
const MIN_SEGMENT_LENGTH_MM = 1e-6;

/** Lengths, subtree ranges, radii and flows of a fully emitted tree. */
function finishTree(w: TreeWriter, domain: Domain, o: GrowOptions & { readonly rootFlowMlPerMin: number }, seed: number, entryPoints: Record<string, number>): ArterialTree {
  const n = w.count;
  const lengthMm = new Float64Array(n);
  const p = w.proximalMm, d = w.distalMm;
  for (let i = 0; i < n; i++) {
    lengthMm[i] = Math.max(MIN_SEGMENT_LENGTH_MM, Math.hypot(d[3 * i] - p[3 * i], d[3 * i + 1] - p[3 * i + 1], d[3 * i + 2] - p[3 * i + 2]));
  }
  const subtreeEnd = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) subtreeEnd[i] = w.child1[i] >= 0 ? subtreeEnd[w.child1[i]] : i + 1;
  const viscosityPaS = o.viscosityMPaS * 1e-3;
  const inletPressurePa = o.inletPressureMmHg * PA_PER_MMHG;
  const terminalPressurePa = o.terminalPressureMmHg * PA_PER_MMHG;
  const radiusMm = new Float64Array(n);
  const structure = { segmentCount: n, parent: w.parent, child0: w.child0, child1: w.child1, lengthMm };
  // Outflow pressure per terminal: the tree's, or its tumour's own (compartment 1 + t).
  const compartmentPressurePa = [terminalPressurePa, ...domain.tumours.map((t) => (t.terminalPressureMmHg ?? o.terminalPressureMmHg) * PA_PER_MMHG)];
  const terminalPressure = new Float64Array(n);
  let uniform = true;
  for (let i = 0; i < n; i++) {
    if (w.child0[i] >= 0) continue;
    terminalPressure[i] = compartmentPressurePa[w.compartment[i]];
    if (terminalPressure[i] !== terminalPressurePa) uniform = false;
  }
  if (uniform) murrayRadii(radiusMm, structure, w.demandMlPerMin, o.murrayExponent, viscosityPaS, inletPressurePa - terminalPressurePa);
  else {
    try {
      murrayRadiiWithPressures(radiusMm, structure, w.demandMlPerMin, terminalPressure, o.murrayExponent, viscosityPaS, inletPressurePa);
    } catch (e) {
      const k = domain.tumours.findIndex((t) => t.terminalPressureMmHg !== undefined && t.terminalPressureMmHg !== o.terminalPressureMmHg);
      throw new InputError(
        `geometry.tumours[${k}].terminalPressureMmHg`,
        `geometry.tumours[${k}].terminalPressureMmHg: no Murray sizing delivers every terminal's flow with tumour outflow pressures this far from tree.terminalPressureMmHg (${o.terminalPressureMmHg}) — ${(e as Error).message}`,
      );
    }
  }
  for (let i = 0; i < n; i++) {
    if (!(radiusMm[i] > 0 && Number.isFinite(radiusMm[i]))) throw new Error(`growTree: segment ${i} got radius ${radiusMm[i]} (length ${lengthMm[i]} mm)`);
  }
  const nonTargetBranches: NonTargetBranch[] = o.nonTarget === null ? [] : [{ ...o.nonTarget, attachedToSegment: 0 }];
  const tree: ArterialTree = {
    segmentCount: n,
    parent: w.parent,
    child0: w.child0,
    child1: w.child1,
    subtreeEnd,
    generation: w.generation,
    proximalMm: w.proximalMm,
    distalMm: w.distalMm,
    radiusMm,
    lengthMm,
    flowMlPerMin: new Float64Array(n),
    compartment: w.compartment,
    territoryMl: w.territoryMl,
    terminalPressurePa: terminalPressure,
    compartmentNames: compartmentNames(domain),
    entryPoints: entryPoints,
    params: {
      murrayExponent: o.murrayExponent,
      viscosityPaS,
      inletPressurePa,
      terminalPressurePa,
      rootFlowMlPerMin: o.rootFlowMlPerMin,
      seed,
    },
    optimised: w.optimised,
    nonTargetBranches,
  };
  solveFlows(tree);
  return tree;
}

/** Poiseuille flows of the tree at its parameters, into tree.flowMlPerMin (mL/min). */
export function solveFlows(tree: ArterialTree): void {
  const n = tree.segmentCount;
  const resistance = segmentResistances(new Float64Array(n), tree, tree.params.viscosityPaS);
  const eq = reduceSubtrees(createSubtreeEquivalents(n), tree, resistance);
  const flow = tree.flowMlPerMin;
  distributeFlows(flow, null, tree, resistance, eq, tree.params.inletPressurePa);
  for (let i = 0; i < n; i++) flow[i] /= M3_PER_S_PER_ML_PER_MIN;
}

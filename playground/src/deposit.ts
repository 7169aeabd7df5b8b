/**
 * The lodging-position deposit (22.7 M spheres for the resin NET case: most of a change's time)
 * split across Web Workers. The work units are the CLI's: blocks of SEGMENTS_PER_BLOCK tree
 * segments, each with its own random stream (src/transport/positions.ts), run by the same
 * `depositBlocks` (src/parallel/deposit.ts). Counts are integers, so adding the helpers' count
 * grids gives the single-thread grid exactly, in any order and for any split: the page's numbers
 * stay those of `sirtsim simulate` (test/playground/browser.test.ts).
 *
 * The page has no SharedArrayBuffer (a file:// page is not cross-origin isolated), so each
 * request carries copies of the tree arrays positions.ts reads (~3 MB for 2e4 terminals, a few ms
 * to clone) and the lodged counts; the reply transfers its count grid.
 */
import type { Domain } from "../../src/geometry/domain.js";
import type { Grid, GridGeometry } from "../../src/geometry/index.js";
import { depositBlocks, SEGMENTS_PER_BLOCK, type SharedPositionsTree } from "../../src/parallel/deposit.js";
import type { ShardCounts, SimulationCore } from "../../src/pipeline/core.js";
import { depositLodgedSpheres, primeTerritoryCells, shardBlocks, subTerminalOf, subTerminalOfCase } from "../../src/pipeline/core.js";
import type { CellLattice, CellTissue, SubTerminalModel, TerritoryCells } from "../../src/transport/index.js";
import { cellLattice, cellTissue, territoryCellOwners, territoryCellsOfOwners } from "../../src/transport/index.js";
import type { TerritoryCellsTree } from "../../src/transport/models/territoryCells.js";
import type { SimulationCase } from "../../src/pipeline/caseInput.js";
import { doseGridGeometry, emptyGrid } from "../../src/pipeline/doseStage.js";
import { WHOLE_RUN } from "../../src/parallel/shard.js";
import { compartmentAcceptance } from "../../src/transport/index.js";
import { addHistograms, ClusterTally, type ClusterHistogram } from "../../src/transport/clusters.js";
import type { ArterialTree } from "../../src/vascular/index.js";

/** The tree fields forEachLodgedSphereChunk and compartmentAcceptance read (the CLI pool's, less the counts). */
type PositionsTree = Omit<SharedPositionsTree, "segmentLodged">;

export interface DepositRequest {
  readonly type: "deposit";
  readonly id: number;
  readonly tree: PositionsTree;
  readonly segmentLodged: Uint32Array;
  readonly seed: number;
  readonly domain: Domain;
  readonly geometry: GridGeometry;
  /** Blocks to run, ascending. */
  readonly blocks: Int32Array;
  /** The "fractal" model's sub-terminal cascade and its territory cells (core.ts subTerminalOf), or null. */
  readonly subTerminal: SubTerminalModel | null;
  readonly territoryCells: TerritoryCells | null;
}

export interface DepositReply {
  readonly type: "deposited";
  readonly id: number;
  readonly counts?: Float64Array;
  readonly outsideGrid?: number;
  /** Spheres per unit-mass piece of these blocks (with a sub-terminal cascade). */
  readonly unitClusters?: ClusterHistogram | null;
  readonly error?: string;
}

/**
 * Owners of the territory cells of slabs [kFrom, kTo) (src/transport/models/territoryCells.ts
 * territoryCellOwners): a helper builds part of a new tree's cells while the engine worker runs
 * the transport (startTerritoryCells).
 */
export interface CellsRequest {
  readonly type: "cells";
  readonly id: number;
  readonly tree: TerritoryCellsTree;
  readonly domain: Domain;
  readonly lattice: CellLattice;
  readonly kFrom: number;
  readonly kTo: number;
  /** The id of a TissueRequest this helper answered for the same domain and lattice (its tissue is kept), or −1. */
  readonly tissueId: number;
  /** The range is the whole lattice: reply with the assembled cells (territoryCellsOfOwners) instead of the owners. */
  readonly assemble: boolean;
}

/** The lattice's tissue (territoryCells.ts cellTissue: domain only), computed while the engine grows the tree. */
export interface TissueRequest {
  readonly type: "tissue";
  readonly id: number;
  readonly domain: Domain;
  readonly lattice: CellLattice;
  /** Send the tissue back too (this thread assembles the cells); else only keep it. */
  readonly reply: boolean;
}

export interface TissueReply {
  readonly type: "tissue";
  readonly id: number;
  readonly tissue?: CellTissue;
  readonly error?: string;
}

/**
 * Tissue lattices a helper keeps for the cells requests that follow, by request id: one map per
 * port (request ids are per engine worker; two engines share a helper), the latest few.
 */
export type KeptTissue = Map<number, CellTissue>;
const KEPT_TISSUE = 2;

export interface CellsReply {
  readonly type: "cells";
  readonly id: number;
  readonly owners?: Int32Array;
  /** The assembled cells, when the request asked for them. */
  readonly cells?: TerritoryCells;
  readonly error?: string;
}

/** Run one request (in a helper worker): a placement, a lattice's tissue, or a slab range of territory cells. */
export function runHelperRequest(r: DepositRequest | CellsRequest | TissueRequest, keptTissue: KeptTissue): DepositReply | CellsReply | TissueReply {
  if (r.type === "tissue") {
    try {
      const tissue = cellTissue(r.domain, r.lattice);
      keptTissue.set(r.id, tissue);
      for (const id of keptTissue.keys()) if (keptTissue.size > KEPT_TISSUE) keptTissue.delete(id);
      return r.reply ? { type: "tissue", id: r.id, tissue } : { type: "tissue", id: r.id };
    } catch (err) {
      return { type: "tissue", id: r.id, error: (err as Error)?.message ?? String(err) };
    }
  }
  if (r.type === "cells") {
    try {
      // The tissue this port's TissueRequest kept; without one (another helper's slabs), its own slabs'.
      const tissue = keptTissue.get(r.tissueId) ?? cellTissue(r.domain, r.lattice, r.assemble ? 0 : r.kFrom, r.assemble ? r.lattice.dims[2] : r.kTo);
      keptTissue.delete(r.tissueId);
      const owners = territoryCellOwners(r.tree, r.domain, r.lattice, r.kFrom, r.kTo, tissue);
      if (r.assemble) return { type: "cells", id: r.id, cells: territoryCellsOfOwners(r.tree, r.lattice, owners, tissue) };
      return { type: "cells", id: r.id, owners };
    } catch (err) {
      return { type: "cells", id: r.id, error: (err as Error)?.message ?? String(err) };
    }
  }
  return runDepositRequest(r);
}

/** The buffers of a helper's reply to transfer (a tissue reply is cloned: the helper keeps it). */
export function replyTransfer(reply: DepositReply | CellsReply | TissueReply): ArrayBuffer[] {
  if (reply.type === "tissue") return [];
  if (reply.type === "cells") {
    if (reply.cells) return [reply.cells.offsets.buffer, reply.cells.cells.buffer, reply.cells.perfusion.buffer] as ArrayBuffer[];
    return reply.owners ? [reply.owners.buffer as ArrayBuffer] : [];
  }
  return reply.counts ? [reply.counts.buffer as ArrayBuffer] : [];
}

/** Run one placement request (in a helper worker). */
export function runDepositRequest(r: DepositRequest): DepositReply {
  try {
    const counts = emptyGrid(r.geometry, (n) => new Float64Array(n));
    // positions.ts reads only the PositionsTree fields of an ArterialTree.
    const tree = r.tree as unknown as ArterialTree;
    const tally = r.subTerminal === null ? null : new ClusterTally();
    const outsideGrid = depositBlocks(counts, tree, r.segmentLodged, r.blocks, r.seed, compartmentAcceptance(r.domain, r.tree.compartment), undefined, r.subTerminal, r.territoryCells, tally?.add ?? null);
    return { type: "deposited", id: r.id, counts: counts.data, outsideGrid, unitClusters: tally?.histogram() ?? null };
  } catch (err) {
    return { type: "deposited", id: r.id, error: (err as Error)?.message ?? String(err) };
  }
}

/** A helper: a MessagePort (or Worker) that answers DepositRequests. */
export interface DepositPort {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (ev: MessageEvent) => void): void;
  start?(): void;
}

/**
 * Blocks into `groups` sets of similar sphere counts (largest block first to the least-loaded
 * set), each ascending. Which set a block lands in changes who places its spheres, never where.
 */
export function balanceBlocks(blocks: readonly number[], spheresOfBlock: (block: number) => number, groups: number): number[][] {
  const sets: number[][] = Array.from({ length: groups }, () => []);
  const load = new Float64Array(groups);
  const byWeight = blocks.map((b) => ({ b, w: spheresOfBlock(b) })).sort((x, y) => y.w - x.w || x.b - y.b);
  for (const { b, w } of byWeight) {
    let g = 0;
    for (let i = 1; i < groups; i++) if (load[i] < load[g]) g = i;
    sets[g].push(b);
    load[g] += w;
  }
  for (const s of sets) s.sort((x, y) => x - y);
  return sets.filter((s) => s.length > 0);
}

let nextRequest = 1;
const waiting = new Map<number, { resolve: (r: DepositReply | CellsReply | TissueReply) => void }>();
const listening = new WeakSet<DepositPort>();

function ask(port: DepositPort, request: DepositRequest): Promise<DepositReply>;
function ask(port: DepositPort, request: CellsRequest): Promise<CellsReply>;
function ask(port: DepositPort, request: TissueRequest): Promise<TissueReply>;
function ask(port: DepositPort, request: DepositRequest | CellsRequest | TissueRequest): Promise<DepositReply | CellsReply | TissueReply> {
  if (!listening.has(port)) {
    listening.add(port);
    port.addEventListener("message", (ev: MessageEvent) => {
      const reply = ev.data as DepositReply | CellsReply | TissueReply;
      if (reply?.type !== "deposited" && reply?.type !== "cells" && reply?.type !== "tissue") return;
      waiting.get(reply.id)?.resolve(reply);
      waiting.delete(reply.id);
    });
    port.start?.();
  }
  return new Promise((resolve) => {
    waiting.set(request.id, { resolve });
    port.postMessage(request);
  });
}

/**
 * Share of a new tree's cell slabs several helpers build (split evenly between them) while this
 * thread runs the transport; this thread builds the rest after the transport (while a slow helper
 * finishes) and assembles the cells.
 */
const HELPER_CELL_SHARE = 0.85;

/** A lattice's tissue being computed on the first helper (startCellTissue). */
export interface TissueJob {
  readonly id: number;
  readonly lattice: CellLattice;
  readonly unitMassG: number;
  /** This thread's copy (null when the helper assembles the cells alone: one helper). */
  readonly tissue: Promise<CellTissue> | null;
}

/**
 * Start computing the tissue of the territory-cell lattice of `simCase` (domain only) on the first
 * helper, before the tree is grown: the helper keeps it for the cells request that follows
 * (startTerritoryCells), and with several helpers sends this thread a copy (it assembles the
 * cells). Null without a sub-terminal cascade or helper.
 */
export function startCellTissue(simCase: SimulationCase, helpers: readonly DepositPort[]): TissueJob | null {
  const model = subTerminalOfCase(simCase);
  if (model === null || helpers.length === 0) return null;
  const lattice = cellLattice(simCase.domain, model.unitMassG, model.densityGPerMl);
  const id = nextRequest++;
  const alone = helpers.length === 1;
  const reply = ask(helpers[0], { type: "tissue", id, domain: simCase.domain, lattice, reply: !alone });
  const tissue = alone
    ? null
    : reply.then((r) => {
        if (r.error !== undefined || !r.tissue) throw new Error(`territory cell tissue in a helper worker failed: ${r.error ?? "no tissue"}`);
        return r.tissue;
      });
  // finish() awaits it; a run that fails before must not leave an unhandled rejection.
  tissue?.catch(() => undefined);
  return { id, lattice, unitMassG: model.unitMassG, tissue };
}

/**
 * Start building `tree`'s territory cells (the "fractal" model's unit-mass cells, core.ts
 * spherePlacement) on the helpers, from the tissue `tissueJob` started before the tree grew;
 * `finish()`, called after the transport, waits for them and primes the placement with the cells
 * (the same cells territoryCells gives, for any split). One helper builds and assembles them all
 * while this thread runs the transport (the owner search, ~0.3 s on one thread for a 2e4-terminal
 * liver once the tissue is known, fits in the transport's ~0.35 s; bench/playground.md); with
 * several, they build HELPER_CELL_SHARE of the slabs and this thread the rest, and assembles them.
 */
export function startTerritoryCells(simCase: SimulationCase, tree: ArterialTree, helpers: readonly DepositPort[], tissueJob: TissueJob): { finish: () => Promise<void> } {
  const { lattice, unitMassG } = tissueJob;
  const slabs = lattice.dims[2];
  const cellsTree: TerritoryCellsTree = { segmentCount: tree.segmentCount, child0: tree.child0, distalMm: tree.distalMm, compartment: tree.compartment };
  const request = (i: number, kFrom: number, kTo: number, assemble: boolean) =>
    ask(helpers[i], { type: "cells", id: nextRequest++, tree: cellsTree, domain: simCase.domain, lattice, kFrom, kTo, tissueId: i === 0 ? tissueJob.id : -1, assemble });
  const failed = (reply: CellsReply, what: string) => new Error(`territory cells in a helper worker failed: ${reply.error ?? `no ${what}`}`);
  const ownTissue = tissueJob.tissue;
  if (ownTissue === null) {
    const whole = request(0, 0, slabs, true);
    return {
      finish: async () => {
        const reply = await whole;
        if (reply.error !== undefined || !reply.cells) throw failed(reply, "cells");
        primeTerritoryCells(tree, unitMassG, reply.cells);
      },
    };
  }
  const helperSlabs = Math.floor(slabs * HELPER_CELL_SHARE);
  const ranges: Array<[number, number]> = helpers.map((_, i) => [Math.floor((helperSlabs * i) / helpers.length), Math.floor((helperSlabs * (i + 1)) / helpers.length)]);
  const replies = ranges.map(([kFrom, kTo], i) => request(i, kFrom, kTo, false));
  return {
    finish: async () => {
      const tissue = await ownTissue;
      const plane = lattice.dims[0] * lattice.dims[1];
      const owners = new Int32Array(plane * slabs);
      owners.set(territoryCellOwners(cellsTree, simCase.domain, lattice, helperSlabs, slabs, tissue), plane * helperSlabs);
      const parts = await Promise.all(replies);
      parts.forEach((reply, i) => {
        if (reply.error !== undefined || !reply.owners) throw failed(reply, "owners");
        owners.set(reply.owners, plane * ranges[i][0]);
      });
      primeTerritoryCells(tree, unitMassG, territoryCellsOfOwners(cellsTree, lattice, owners, tissue));
    },
  };
}

/**
 * depositLodgedSpheres (the whole run) with its blocks split between this thread and `helpers`:
 * the same count grid, exactly. With no helper, or one block, it is depositLodgedSpheres.
 */
export async function depositOnHelpers(simCase: SimulationCase, core: SimulationCore, helpers: readonly DepositPort[]): Promise<ShardCounts & { threads: number }> {
  const tree = core.tree;
  const lodged = core.transport.segmentLodged;
  const blocks = shardBlocks(tree, WHOLE_RUN);
  if (helpers.length === 0 || blocks.length < 2) return { ...depositLodgedSpheres(simCase, core), threads: 1 };
  const spheresOfBlock = (b: number): number => {
    let s = 0;
    const end = Math.min(tree.segmentCount, (b + 1) * SEGMENTS_PER_BLOCK);
    for (let j = b * SEGMENTS_PER_BLOCK; j < end; j++) s += lodged[j];
    return s;
  };
  const [own, ...others] = balanceBlocks(blocks, spheresOfBlock, helpers.length + 1);
  const geometry = doseGridGeometry(simCase.domain, simCase.dose.voxelMm, simCase.dose.marginMm);
  const plain: GridGeometry = { dims: geometry.dims, spacingMm: geometry.spacingMm, originMm: geometry.originMm, direction: geometry.direction, frame: geometry.frame } as GridGeometry;
  const positionsTree: PositionsTree = {
    segmentCount: tree.segmentCount,
    child0: tree.child0,
    proximalMm: tree.proximalMm,
    distalMm: tree.distalMm,
    radiusMm: tree.radiusMm,
    parent: tree.parent,
    territoryMl: tree.territoryMl,
    compartment: tree.compartment,
  };
  const { subTerminal, territoryCells } = subTerminalOf(core, simCase.domain);
  // Post first, then place this thread's share while the helpers place theirs.
  const replies = others.map((group, i) =>
    ask(helpers[i], { type: "deposit", id: nextRequest++, tree: positionsTree, segmentLodged: lodged, seed: simCase.seed, domain: simCase.domain, geometry: plain, blocks: Int32Array.from(group), subTerminal, territoryCells }),
  );
  const counts: Grid<Float64Array> = emptyGrid(geometry, (n) => new Float64Array(n));
  const tally = subTerminal === null ? null : new ClusterTally();
  let outsideGrid = depositBlocks(counts, tree, lodged, own, simCase.seed, compartmentAcceptance(simCase.domain, tree.compartment), undefined, subTerminal, territoryCells, tally?.add ?? null);
  const clusterParts: ClusterHistogram[] = tally === null ? [] : [tally.histogram()];
  for (const reply of await Promise.all(replies)) {
    if (reply.error !== undefined || !reply.counts) throw new Error(`sphere placement in a helper worker failed: ${reply.error ?? "no counts"}`);
    const c = reply.counts;
    const data = counts.data;
    for (let v = 0; v < data.length; v++) data[v] += c[v];
    outsideGrid += reply.outsideGrid ?? 0;
    if (reply.unitClusters) clusterParts.push(reply.unitClusters);
  }
  // Every part's tally (the whole run), else none: finishSimulation then replays the cascade.
  const unitClusters = tally !== null && clusterParts.length === replies.length + 1 ? addHistograms(clusterParts) : null;
  return { counts, outsideGrid, units: blocks.length, threads: others.length + 1, unitClusters };
}

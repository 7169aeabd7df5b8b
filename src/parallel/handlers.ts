/**
 * Registers the work-unit handlers of every stage. Imported by the worker entry point and by the
 * pool, so inline runs and worker runs dispatch through the same table.
 */
import { registerTaskHandlers } from "./tasks.js";
import { runSubtreesTask } from "./transport.js";
import { runFftPassTask } from "./dose.js";
import { runDepositBlocksTask } from "./deposit.js";
import { runGrowthSitesTask, runGrowTreeTask, runLatticeOwnersTask } from "./tree.js";

registerTaskHandlers({
  /** A trivial unit used by the pool's own tests and the overhead benchmark. */
  "parallel.echo": (input: { value: number; spinIterations?: number }) => {
    let x = input.value;
    for (let i = 0; i < (input.spinIterations ?? 0); i++) x = (x * 1103515245 + 12345) % 2147483648;
    return { value: input.value, spin: x };
  },
  /** Consecutive cut subtrees of one transport pass (src/parallel/transport.ts). */
  "transport.subtrees": runSubtreesTask,
  /** One slab of one FFT pass of the dose convolution (src/parallel/dose.ts). */
  "dose.fftPass": runFftPassTask,
  /** Lodging positions of contiguous 4096-segment blocks on a count grid (src/parallel/deposit.ts). */
  "positions.depositBlocks": runDepositBlocksTask,
  /** The whole tree growth, off the main thread so that signals are handled during it (src/parallel/tree.ts). */
  "vascular.growTree": runGrowTreeTask,
  /** The terminal sites and the tessellation's lattice, before the owner search on the pool (src/parallel/tree.ts). */
  "vascular.growthSites": runGrowthSitesTask,
  /** The owners of one slab of lattice layers in one Lloyd pass of the tessellation (src/parallel/tree.ts). */
  "vascular.latticeOwners": runLatticeOwnersTask,
});

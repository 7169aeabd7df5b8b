/**
 * Unit tests (true by construction of integer counts, not validation): the playground's sphere
 * placement split between its thread and helper workers (playground/src/deposit.ts) gives the
 * count grid of the CLI's single-thread depositLodgedSpheres exactly. The helpers here are the
 * far ends of MessageChannels answered on this thread, so the messages are structured-cloned as
 * between Web Workers. A 5000-terminal glass tree (3 blocks of 4096 segments) keeps it quick;
 * both placements run: uniform territories ("flow") and the sub-terminal cascade ("fractal").
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { MessageChannel } from "node:worker_threads";
import { balanceBlocks, depositOnHelpers, replyTransfer, runHelperRequest, startCellTissue, startTerritoryCells, type CellsRequest, type DepositPort, type DepositRequest, type KeptTissue, type TissueRequest } from "../../playground/src/deposit.js";
import { growTree } from "../../src/vascular/index.js";
import { territoryCells } from "../../src/transport/index.js";
import { numericCase } from "../../playground/build.js";
import { loadSimulationCase } from "../../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore, subTerminalOf } from "../../src/pipeline/core.js";

function helperPorts(n: number): { ports: DepositPort[]; close: () => void } {
  const channels = Array.from({ length: n }, () => new MessageChannel());
  for (const c of channels) {
    const kept: KeptTissue = new Map();
    c.port2.on("message", (request: DepositRequest | CellsRequest | TissueRequest) => {
      const reply = runHelperRequest(request, kept);
      c.port2.postMessage(reply, replyTransfer(reply));
    });
  }
  return { ports: channels.map((c) => c.port1 as unknown as DepositPort), close: () => channels.forEach((c) => c.port1.close()) };
}

describe("balanceBlocks", () => {
  it("puts every block in exactly one set, each set ascending, loads within one block of each other", () => {
    const weights = [5, 90, 3, 40, 41, 7, 0, 66, 12, 30];
    const sets = balanceBlocks(weights.map((_, b) => b), (b) => weights[b], 3);
    expect(sets.flat().sort((x, y) => x - y)).toEqual(weights.map((_, b) => b));
    for (const s of sets) expect(s).toEqual([...s].sort((x, y) => x - y));
    const loads = sets.map((s) => s.reduce((a, b) => a + weights[b], 0));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...weights));
  });
});

describe("depositOnHelpers", () => {
  it("gives the single-thread count grid exactly, for 1, 2 and 3 helpers, with uniform territories and with the fractal sub-terminal cascade", async () => {
    const base = numericCase(JSON.parse(readFileSync(new URL("../../fixtures/cases/glass-segmentectomy.json", import.meta.url), "utf8")), "glass-segmentectomy.json");
    for (const heterogeneity of ["flow", "fractal"]) {
      const json = { ...base, tree: { ...(base.tree as object), terminals: 5000 }, dose: { ...(base.dose as object), voxelMm: 4 }, injection: { ...(base.injection as object), entryPoint: "right-hepatic" }, transport: { ...(base.transport as object), heterogeneity: { model: heterogeneity } } };
      const simCase = loadSimulationCase(json, "test case");
      const core = simulateCore(simCase);
      expect(subTerminalOf(core, simCase.domain).subTerminal === null, heterogeneity).toBe(heterogeneity !== "fractal");
      const single = depositLodgedSpheres(simCase, core);
      expect(single.units).toBeGreaterThanOrEqual(3);
      for (const n of [1, 2, 3]) {
        const { ports, close } = helperPorts(n);
        try {
          const split = await depositOnHelpers(simCase, core, ports);
          expect(split.threads).toBe(Math.min(n + 1, single.units));
          expect(split.outsideGrid).toBe(single.outsideGrid);
          expect(Buffer.from(split.counts.data.buffer).equals(Buffer.from(single.counts.data.buffer)), `${heterogeneity}, ${n} helpers`).toBe(true);
          // The unit clusters tallied by the parts add up to the single thread's (null without a cascade).
          expect(split.unitClusters ?? null, `${heterogeneity}, ${n} helpers`).toEqual(single.unitClusters ?? null);
        } finally {
          close();
        }
      }
    }
  }, 120_000);
});

describe("startTerritoryCells", () => {
  it("builds a new tree's territory cells split between helpers and this thread exactly as territoryCells does, and primes the placement with them", async () => {
    const base = numericCase(JSON.parse(readFileSync(new URL("../../fixtures/cases/glass-segmentectomy.json", import.meta.url), "utf8")), "glass-segmentectomy.json");
    const json = { ...base, tree: { ...(base.tree as object), terminals: 3000 }, transport: { ...(base.transport as object), heterogeneity: { model: "fractal" } } };
    const simCase = loadSimulationCase(json, "test case");
    const reference = (() => {
      const tree = growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
      const model = subTerminalOf(simulateCore(simCase, { stages: { tree } }), simCase.domain).subTerminal!;
      return territoryCells(tree, simCase.domain, model.unitMassG, model.densityGPerMl);
    })();
    // One helper (the page on 2 cores: it assembles the cells alone), two (this thread assembles
    // with its copy of the tissue) and three (helpers 1 and 2 compute their own slabs' tissue).
    for (const n of [1, 2, 3]) {
      // A fresh tree object: the placement's cache is keyed by the tree.
      const tree = growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
      const { ports, close } = helperPorts(n);
      try {
        // The page's order: the tissue first (while the tree grows), then the cells.
        const tissue = startCellTissue(simCase, ports);
        if (tissue === null) throw new Error("fractal: a tissue job expected");
        await startTerritoryCells(simCase, tree, ports, tissue).finish();
        const primed = subTerminalOf(simulateCore(simCase, { stages: { tree } }), simCase.domain).territoryCells!;
        expect(primed.dims).toEqual(reference.dims);
        for (const key of ["offsets", "cells", "perfusion"] as const) expect(Buffer.from(primed[key].buffer).equals(Buffer.from(reference[key].buffer)), `${key}, ${n} helpers`).toBe(true);
      } finally {
        close();
      }
    }
    // No cells for a model without a sub-terminal cascade.
    const flow = loadSimulationCase({ ...json, transport: { heterogeneity: { model: "flow" } } }, "flow case");
    const idle = helperPorts(1);
    try {
      expect(startCellTissue(flow, idle.ports)).toBeNull();
    } finally {
      idle.close();
    }
  }, 120_000);
});

/**
 * Sub-terminal cascade study (issue 14 point 1): RD of flow per cube of side L, in cubes from 2 mg
 * to 1 g, on grown trees of a 125 mL liver at two terminal counts, with the "fractal" model's
 * sub-terminal cascade (src/transport/models/subTerminal.ts) and without it (each terminal's share
 * spread uniformly over a ball of its territory, the placement of the other models), against the
 * law RD(1 g)·m^(1 − D) for a finite organ. Also the variance factor below the terminal: 1 (the
 * law for boxes) against SUBTREE_TO_CUBE_VARIANCE 2.2 (the tree's factor). "cube": the cascade in a
 * cube of the territory's volume at the terminal's site; "cells": in the terminal's own unit-mass
 * cells (models/territoryCells.ts, what the deposit uses).
 *
 *   npx tsx bench/transport-subterminal.ts [--terminals 3000,30000]
 *
 * Output: a markdown table (measured RD / law) on stdout. Deterministic (no timing).
 */
import { growTree } from "../src/vascular/grow.js";
import { resolveHeterogeneity } from "../src/transport/models/heterogeneity.js";
import { territoryCells } from "../src/transport/models/territoryCells.js";
import { subTerminalModel, type SubTerminalModel } from "../src/transport/models/subTerminal.js";
import { SUBTREE_TO_CUBE_VARIANCE } from "../src/transport/models/fractal.js";
import { domain, expectedShares, lawRd, leafRd, massOf, spreadRd } from "../test/transport/helpers/rdCubes.js";

const args = process.argv.slice(2);
const k = args.indexOf("--terminals");
const counts = (k >= 0 ? args[k + 1] : "3000,30000").split(",").map(Number);
const SIDES_MM = [1.26, 1.6, 2, 3, 4, 6, 10];

const model = subTerminalModel(resolveHeterogeneity({ model: "fractal" }, 0.5), 3) as SubTerminalModel;
console.log("RD of flow per cube / the fractal law (finite 125 mL organ), fractal model, tree seed 3\n");
console.log(`| terminals | placement | ${SIDES_MM.map((L) => `${L} mm (${(massOf(L) * 1000).toFixed(1)} mg)`).join(" | ")} |`);
console.log(`|---|---|${SIDES_MM.map(() => "---").join("|")}|`);
for (const terminals of counts) {
  const tree = growTree(domain, { terminals, optimisedTerminals: 100 }, 3);
  const shares = expectedShares(tree, "fractal");
  const cells = territoryCells(tree, domain, model.unitMassG, model.densityGPerMl);
  const rows: Array<[string, (L: number) => number]> = [
    ["ball (no sub-terminal), 16 points each", (L) => spreadRd(tree, shares, L)],
    ["uniform cube (no sub-terminal)", (L) => leafRd(tree, shares, { ...model, varianceFactor: 0 }, L)],
    ["cascade, factor 1", (L) => leafRd(tree, shares, { ...model, varianceFactor: 1 }, L)],
    ["cells uniform (no sub-terminal)", (L) => leafRd(tree, shares, { ...model, varianceFactor: 0 }, L, cells)],
    ["cells cascade, factor 1", (L) => leafRd(tree, shares, { ...model, varianceFactor: 1 }, L, cells)],
    [`cells cascade, factor ${SUBTREE_TO_CUBE_VARIANCE} (default since 2026-12-07)`, (L) => leafRd(tree, shares, { ...model, varianceFactor: SUBTREE_TO_CUBE_VARIANCE }, L, cells)],
    [`cascade, factor ${SUBTREE_TO_CUBE_VARIANCE}`, (L) => leafRd(tree, shares, { ...model, varianceFactor: SUBTREE_TO_CUBE_VARIANCE }, L)],
  ];
  for (const [name, rd] of rows) {
    console.log(`| ${terminals.toLocaleString("en")} | ${name} | ${SIDES_MM.map((L) => (rd(L) / lawRd(massOf(L))).toFixed(2)).join(" | ")} |`);
  }
}

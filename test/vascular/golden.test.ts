/**
 * The default case's tree at 5000 terminals, serialised, has the SHA-256 it had before the
 * tessellation moved to the pool and segment lengths got a 1 nm floor (commit 060694c, 2026-12-08):
 * a change meant only for speed or robustness must leave every grown tree bit for bit. A
 * regression pin, not validation: a change that is meant to alter the tree updates the hash and
 * says why in its commit.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolveCase } from "../../src/pipeline/resolveCase.js";
import { growTree } from "../../src/vascular/grow.js";
import { serializeTree } from "../../src/vascular/export.js";

const CASE = new URL("../../fixtures/cases/net-default.json", import.meta.url);
const TREE_SHA256 = "9de0bfb57b50bc5dc615c7a5630183efbf76d8aa09478bf68ef79da520eb4043";

describe("grown tree pin", () => {
  it("net-default at 5000 terminals serialises to the pinned SHA-256", () => {
    const json = JSON.parse(readFileSync(CASE, "utf8"));
    const simCase = resolveCase({ json: { ...json, tree: { ...json.tree, terminals: 5000 } }, path: CASE.pathname });
    const tree = growTree(simCase.domain, simCase.tree, simCase.tree.seed, simCase.integral);
    expect(createHash("sha256").update(serializeTree(tree)).digest("hex")).toBe(TREE_SHA256);
  });
});

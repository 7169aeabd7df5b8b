/** A cut or empty stage file is named as such (src/pipeline/stageFiles.ts unwrapStageFile): its header and checksum are at its end. */
import { describe, expect, it } from "vitest";
import { axisAlignedGeometry } from "../../src/geometry/grid.js";
import { decodeCountsFile, encodeCountsFile, type ShardManifest } from "../../src/pipeline/stageFiles.js";

describe("truncated stage files", () => {
  it("an empty counts.bin says it is empty; a cut one says it has no trailer and may be truncated; the whole one decodes", () => {
    const counts = { ...axisAlignedGeometry([2, 2, 2], [1, 1, 1], [0, 0, 0]), data: new Float64Array(8).fill(3) };
    const manifest = { kind: "sirtsim-shard", shard: { index: 0, count: 1 }, totalUnits: 1, units: 1, spheresDeposited: 24, outsideGridSpheres: 0, grid: counts, caseSha256: "c", treeSha256: "t", lodgedSha256: "l", casePath: "/x.json", seed: 1, sirtsimVersion: "0.3.0" } as unknown as ShardManifest;
    const bytes = encodeCountsFile(counts, manifest);
    expect(decodeCountsFile(bytes, "counts.bin").counts.data[0]).toBe(3);
    expect(() => decodeCountsFile(new Uint8Array(0), "counts.bin")).toThrow(/counts\.bin: not a sirtsim counts file with a stage header — it is empty \(0 bytes\)/);
    expect(() => decodeCountsFile(bytes.subarray(0, bytes.length - 40), "counts.bin")).toThrow(/no stage trailer at its end \(\d+ bytes\): it is truncated/);
  });
});

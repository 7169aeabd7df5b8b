/**
 * Unit test (true by construction once it passes): every file a command writes into an output set
 * is a name the output-folder check knows, or the next run into that folder would be refused as
 * holding files sirtsim did not write.
 */
import { describe, expect, it } from "vitest";
import { KNOWN_OUTPUT_NAMES } from "../../src/io/atomic.js";
import { SIMULATION_FILES } from "../../src/pipeline/outputs.js";

describe("KNOWN_OUTPUT_NAMES", () => {
  it("lists every file of a simulate output set", () => {
    for (const name of SIMULATION_FILES) expect(KNOWN_OUTPUT_NAMES.has(name), name).toBe(true);
  });
});

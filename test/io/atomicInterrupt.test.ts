/**
 * A signal during an atomic write (src/io/atomic.ts): the handler's releaseOutputDirs removes this
 * process's temporary file, so an interrupted study leaves no `runs/.*.tmp` beside its records.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { releaseOutputDirs, writeFileAtomic } from "../../src/io/atomic.js";

const dir = mkdtempSync(join(tmpdir(), "sirtsim-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic interrupted", () => {
  it("releaseOutputDirs removes the temporary file of a write in progress, and only its own", async () => {
    const data = new Uint8Array(256 * 1024 ** 2);
    let seen = false;
    for (let attempt = 0; attempt < 5 && !seen; attempt++) {
      const target = join(dir, `record-${attempt}.json`);
      const writing = writeFileAtomic(target, data).then(
        () => "written",
        () => "failed",
      );
      // Wait until the temporary file exists (the write runs on libuv's threads), then "signal".
      let outcome: string | undefined;
      void writing.then((o) => (outcome = o));
      while (outcome === undefined && !readdirSync(dir).some((f) => f.startsWith(`.record-${attempt}.json.`) && f.endsWith(".tmp"))) await new Promise((r) => setImmediate(r));
      if (outcome !== undefined) continue; // the write finished first: try again
      seen = true;
      releaseOutputDirs();
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      await writing;
    }
    expect(seen).toBe(true);
    // A finished write leaves nothing behind either, and a release then removes nothing of it.
    await writeFileAtomic(join(dir, "whole.json"), "{}\n");
    releaseOutputDirs();
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(dir)).toContain("whole.json");
  });
});

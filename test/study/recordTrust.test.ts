/**
 * Run records read back are checked against the run they stand for (src/study/store.ts
 * recordProblem): `study collect` refuses (exit 2, naming the file and the field) a record filed
 * under another run's name, edited since it was written, or from another version, instead of
 * tabulating it; `study` redoes such runs and says why. `study run-slice --workers` and
 * `study collect --json` are the subcommands' own options (a parent option of the same name took
 * them). Through the real CLI (dist/).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyStudy } from "./tinyStudy.js";

const main = resolve(import.meta.dirname, "../../dist/src/cli/main.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8" });

let dir: string;
let out: string;
let studyFile: string;
let plan: { runs: { id: string; cell: number }[] };
const record = (id: string) => join(out, "runs", `${id}.json`);
const originals = new Map<string, string>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-study-trust-"));
  studyFile = join(dir, "study.json");
  writeFileSync(studyFile, JSON.stringify(tinyStudy()));
  out = join(dir, "out");
  // Plan only, then the runs by the slice command (its own --workers), then collect.
  expect(cli("study", studyFile, "--out", out, "--executor", "none").status).toBe(0);
  const slice = cli("study", "run-slice", out, "--index", "0", "--of", "1", "--workers", "1", "--json");
  expect(slice.status, slice.stderr).toBe(0);
  expect(JSON.parse(slice.stdout)).toMatchObject({ ran: 4, skipped: 0 });
  plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8"));
  for (const r of plan.runs) originals.set(r.id, readFileSync(record(r.id), "utf8"));
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const restore = () => {
  for (const [id, text] of originals) writeFileSync(record(id), text);
};

describe("study records read back", () => {
  it("run-slice honours its own --workers and --json; collect its own --json", () => {
    expect(cli("study", "run-slice", out, "--index", "0", "--of", "1", "--workers", "abc").status).toBe(2);
    // Given before the subcommand they are `study`'s, which does not run: refused, not ignored.
    const before = cli("study", "--workers", "4", "run-slice", out, "--index", "0", "--of", "1");
    expect(before.status).toBe(2);
    expect(before.stderr).toContain("--workers given before `run-slice` belongs to `sirtsim study`");
    expect(cli("study", "--json", "collect", out).status).toBe(2);
    const collected = cli("study", "collect", out, "--json");
    expect(collected.status, collected.stderr).toBe(0);
    const doc = JSON.parse(collected.stdout);
    expect(doc).toMatchObject({ finished: 4, failed: [], missing: 0 });
    // The runs' notes reach the study's terminal, document, runs.csv and page (the tiny case's tree
    // is coarser than the resolution band: simulate says so; the study said nothing).
    const resolution = doc.warnings.find((w: { text: string }) => w.text.startsWith("note: tree resolution"));
    expect(resolution?.runs).toEqual([0, 1, 2, 3]);
    expect(collected.stderr).toContain("note (4 of 4 runs: runs 0, 1, 2, 3): tree resolution");
    expect(readFileSync(join(out, "runs.csv"), "utf8").split("\n")[0]).toMatch(/,warnings$/);
    expect(readFileSync(join(out, "study.html"), "utf8")).toContain("Warnings and notes of the runs");
  });

  it("collect refuses a record of another cell filed under this run's name, naming the file and the id", () => {
    const [a, b] = [plan.runs.find((r) => r.cell === 0)!, plan.runs.find((r) => r.cell === 1)!];
    writeFileSync(record(a.id), originals.get(b.id)!);
    const before = readFileSync(join(out, "cells.csv"), "utf8");
    const r = cli("study", "collect", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(record(a.id));
    expect(r.stderr).toMatch(/id: it is run \w{12}'s record, not this run's/);
    expect(readFileSync(join(out, "cells.csv"), "utf8")).toBe(before);
    restore();
  });

  it("collect refuses an edited metric and a record of another version; study redoes them, saying why, with the same tables", () => {
    const cells = readFileSync(join(out, "cells.csv"), "utf8");
    const id = plan.runs[0].id;
    const doc = JSON.parse(originals.get(id)!);
    const metric = Object.keys(doc.metrics).find((k) => k.endsWith("meanDoseGy"))!;
    writeFileSync(record(id), JSON.stringify({ ...doc, metrics: { ...doc.metrics, [metric]: 999 } }));
    let r = cli("study", "collect", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sha256: the record's content does not match its digest/);
    const { sha256: _digest, ...undigested } = doc;
    writeFileSync(record(id), JSON.stringify(undigested));
    r = cli("study", "collect", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sha256: written before run records carried a digest/);
    writeFileSync(record(id), "42\n");
    r = cli("study", "collect", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a JSON object/);
    writeFileSync(record(id), JSON.stringify({ ...doc, sirtsimVersion: "0.2.0" }));
    r = cli("study", "collect", out);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sirtsimVersion: written by sirtsim 0\.2\.0/);
    r = cli("study", studyFile, "--out", out, "--workers", "1");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/is not this run's — sirtsimVersion: written by sirtsim 0\.2\.0, this is [\d.]+; redoing it/);
    expect(readFileSync(join(out, "cells.csv"), "utf8")).toBe(cells);
    expect(readFileSync(record(id), "utf8")).toBe(originals.get(id));
    expect(readdirSync(join(out, "runs")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 120_000);
});

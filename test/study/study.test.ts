/**
 * `sirtsim study` through the library (inline pool): rows and cells, the cell statistics against a
 * hand computation from the rows, a planted failing run, resume after a deleted run record.
 */
import { describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStudyPlan } from "../../src/cli/commands/study.js";
import { collectStudy } from "../../src/study/collect.js";
import { runStudy } from "../../src/study/runner.js";
import { writePlan } from "../../src/study/store.js";
import { createPool } from "../../src/parallel/pool.js";
import { tinyStudy } from "./tinyStudy.js";

/** Student t 0.975 quantile for 1 degree of freedom (published tables: 12.706). */
const T_975_DF1 = 12.706204736174707;

function parseCsv(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.trim().split("\n");
  const names = header.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i], v])));
}

describe("sirtsim study (local executor)", () => {
  it("runs cells × trees × seeds, reports a planted failure while the others finish, resumes and redoes missing runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-study-"));
    try {
      const studyFile = join(dir, "study.json");
      await writeFile(studyFile, JSON.stringify(tinyStudy()));
      const plan = await loadStudyPlan(studyFile);
      expect(plan.cells).toHaveLength(2);
      expect(plan.runs).toHaveLength(4);
      const out = join(dir, "out");
      await writePlan(out, plan);
      const pool = createPool({ workers: 1 });

      // 1. Run 1 fails on purpose; runs 0, 2, 3 finish.
      process.env.SIRTSIM_STUDY_FAIL_RUN = "1";
      let result;
      try {
        result = await runStudy(out, plan, { pool });
      } finally {
        delete process.env.SIRTSIM_STUDY_FAIL_RUN;
      }
      expect(result.ran).toBe(3);
      expect(result.failures).toHaveLength(1);
      expect(result.failures[0].error).toContain("planted failure");
      let tables = await collectStudy(out, plan);
      expect(tables.failed.map((f) => f.run)).toEqual([1]);
      expect(tables.finished).toBe(3);

      // 2. A re-run redoes the failed run only and skips the three finished ones.
      result = await runStudy(out, plan, { pool });
      expect({ ran: result.ran, skipped: result.skipped, failed: result.failures.length }).toEqual({ ran: 1, skipped: 3, failed: 0 });
      tables = await collectStudy(out, plan);
      expect(tables.failed).toHaveLength(0);
      const runsCsv = await readFile(join(out, "runs.csv"), "utf8");
      const rows = parseCsv(runsCsv);
      expect(rows).toHaveLength(4);
      expect(rows.map((r) => [r.cell, r.lungShuntFraction, r.seed, r.status])).toEqual([
        ["0", "0.05", "11", "ok"],
        ["0", "0.05", "12", "ok"],
        ["1", "0.1", "11", "ok"],
        ["1", "0.1", "12", "ok"],
      ]);

      // 3. Cell statistics equal a hand computation from the rows (n = 2 per cell).
      const cellsRows = parseCsv(await readFile(join(out, "cells.csv"), "utf8"));
      // TCP of a tumour and NTCP of the normal liver are study metrics like the doses (src/dose/outcome.ts).
      for (const metric of ["right.radiobiology.tcp", "normal.radiobiology.ntcp"]) expect(rows.every((r) => Number(r[metric]) >= 0 && Number(r[metric]) <= 1)).toBe(true);
      for (const metric of ["right.meanDoseGy", "normal.D70Gy", "lung.meanDoseGy", "right.radiobiology.tcp"]) {
        for (const cell of ["0", "1"]) {
          const xs = rows.filter((r) => r.cell === cell).map((r) => Number(r[metric]));
          const mean = (xs[0] + xs[1]) / 2;
          const sd = Math.abs(xs[0] - xs[1]) / Math.SQRT2;
          const half = (T_975_DF1 * sd) / Math.SQRT2;
          const s = cellsRows.find((r) => r.cell === cell && r.metric === metric)!;
          expect(Number(s.n)).toBe(2);
          expect(Number(s.mean)).toBeCloseTo(mean, 10);
          expect(Number(s.sd)).toBeCloseTo(sd, 10);
          expect(Number(s.meanCi95Low)).toBeCloseTo(mean - half, 8);
          expect(Number(s.meanCi95High)).toBeCloseTo(mean + half, 8);
          expect(Number(s.predictionInterval95High)).toBeCloseTo(mean + T_975_DF1 * sd * Math.sqrt(1.5), 8);
          // Type-7 percentiles of two values: min + 0.025·range and min + 0.975·range.
          expect(Number(s["runPercentile2.5"])).toBeCloseTo(Math.min(...xs) + 0.025 * Math.abs(xs[0] - xs[1]), 8);
          expect(Number(s["runPercentile97.5"])).toBeCloseTo(Math.min(...xs) + 0.975 * Math.abs(xs[0] - xs[1]), 8);
        }
      }
      // The lung dose grows with the lung shunt: the sweep is not a constant.
      const lung = (cell: string) => Number(cellsRows.find((r) => r.cell === cell && r.metric === "lung.meanDoseGy")!.mean);
      expect(lung("1")).toBeGreaterThan(lung("0"));
      // One tree grown for all four runs (the lung shunt does not change the tree).
      expect(await readdir(join(out, "trees"))).toHaveLength(1);

      // 4. Delete one run record: the re-run redoes it alone and the tables come out the same bytes.
      //    (Run 2 first ran after run 0 in the same runStudy, on the domain and integral the runner
      //    kept from it (DomainCache); redone alone it loads them afresh: same bytes, so the reuse
      //    changes nothing.)
      await rm(join(out, "runs", `${plan.runs[2].id}.json`));
      result = await runStudy(out, plan, { pool });
      expect({ ran: result.ran, skipped: result.skipped }).toEqual({ ran: 1, skipped: 3 });
      await collectStudy(out, plan);
      expect(await readFile(join(out, "runs.csv"), "utf8")).toBe(runsCsv);
      const html = await readFile(join(out, "study.html"), "utf8");
      expect(html).toContain("predictionInterval95");

      // 5. A record written by another sirtsim version is not reused, and a damaged cached tree is
      //    regrown (checked stage file), not read: the re-run redoes that one run, same bytes.
      const stale = join(out, "runs", `${plan.runs[3].id}.json`);
      const record = JSON.parse(await readFile(stale, "utf8")) as Record<string, unknown>;
      await writeFile(stale, JSON.stringify({ ...record, sirtsimVersion: "0.0.0-stale" }));
      const [treeName] = await readdir(join(out, "trees"));
      const treeFile = join(out, "trees", treeName);
      const treeBytes = await readFile(treeFile);
      treeBytes[100] ^= 0xff;
      await writeFile(treeFile, treeBytes);
      const logged: string[] = [];
      result = await runStudy(out, plan, { pool, log: (m) => logged.push(m) });
      expect({ ran: result.ran, skipped: result.skipped }).toEqual({ ran: 1, skipped: 3 });
      expect(logged.join("\n")).toContain("0.0.0-stale");
      expect(logged.join("\n")).toContain("checksum mismatch");
      await collectStudy(out, plan);
      expect(await readFile(join(out, "runs.csv"), "utf8")).toBe(runsCsv);

      // 5b. On a 2-thread pool two runs are in flight at once (runner lanes): the tables are the same bytes.
      const pool2 = createPool({ workers: 2 });
      try {
        const out2 = join(dir, "out2");
        await writePlan(out2, plan);
        result = await runStudy(out2, plan, { pool: pool2 });
        expect({ ran: result.ran, failed: result.failures.length }).toEqual({ ran: 4, failed: 0 });
        await collectStudy(out2, plan);
        expect(await readFile(join(out2, "runs.csv"), "utf8")).toBe(runsCsv);
        expect(await readFile(join(out2, "cells.csv"), "utf8")).toBe(await readFile(join(out, "cells.csv"), "utf8"));
      } finally {
        await pool2.destroy();
      }

      // 6. A plan expanded by another sirtsim version is refused (its ids embed that version).
      await expect(runStudy(out, { ...plan, sirtsimVersion: "0.0.0-stale" }, { pool })).rejects.toThrow(/planned by sirtsim 0\.0\.0-stale/);
      await pool.destroy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a field path is checked against the case schema: a valid field absent from the base case is accepted, an unknown one is refused naming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sirtsim-study-paths-"));
    try {
      const studyFile = join(dir, "study.json");
      // The base case has transport.embolic without capacitySpheres: varying it is allowed.
      await writeFile(studyFile, JSON.stringify(tinyStudy({ vary: [{ path: "transport.embolic.capacitySpheres", values: [1000, 2000] }] })));
      expect((await loadStudyPlan(studyFile)).cells).toHaveLength(2);
      await writeFile(studyFile, JSON.stringify(tinyStudy({ vary: [{ path: "tree.nosuch.deep", values: [1] }] })));
      await expect(loadStudyPlan(studyFile)).rejects.toThrow(/vary\[0\]\.path.*tree\.nosuch\.deep.*Unrecognized key: "nosuch"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

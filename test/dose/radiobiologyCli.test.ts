/**
 * `sirtsim simulate --lq` (src/cli/lqOption.ts): LQ and outcome parameters from the command line
 * reach summary.json and the written case.json; a misplaced outcome field exits 2 with nothing
 * written. Wiring tests through the built CLI (the models: radiobiologyOutcome.test.ts).
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSirtsim } from "../helpers/cli.js";
import { tinyCase } from "../study/tinyStudy.js";

describe("sirtsim simulate --lq", () => {
  it("sets the NTCP's TD50 and the TCP's EUD50 (summary and case.json); a tcp field on the lung exits 2 naming --lq", () => {
    const dir = mkdtempSync(join(tmpdir(), "sirtsim-lq-"));
    try {
      const file = join(dir, "case.json");
      writeFileSync(file, JSON.stringify(tinyCase()));
      const out = join(dir, "out");
      const r = runSirtsim(["simulate", file, "--out", out, "--workers", "1", "--json", "--lq", "normalLiver.ntcp.td50BedGy=250", "--lq", "tumour.tcp.eud50Gy=60"]);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { compartments: Record<string, { radiobiology: { ntcp: number | null; tcp: number | null; ntcpParameters?: unknown; tcpParameters?: unknown } }> };
      expect(summary.compartments.normal.radiobiology.ntcpParameters).toEqual({ td50BedGy: 250, m: 0.28, n: 1 });
      expect(summary.compartments.right.radiobiology.tcpParameters).toMatchObject({ eud50Gy: 60 });
      expect(summary.compartments.right.radiobiology.tcp).toEqual(expect.any(Number));
      const written = JSON.parse(readFileSync(join(out, "case.json"), "utf8")) as { dose: { radiobiology: unknown } };
      expect(written.dose.radiobiology).toMatchObject({ normalLiver: { ntcp: { td50BedGy: 250 } }, tumour: { tcp: { eud50Gy: 60 } } });

      const bad = runSirtsim(["simulate", file, "--out", join(dir, "bad"), "--workers", "1", "--lq", "lung.tcp.eud50Gy=60"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--lq lung.tcp.eud50Gy=60: tcp applies to tumour only");
      expect(existsSync(join(dir, "bad"))).toBe(false);

      // A positive-only parameter at 0 names the open range, and a bad isodose level is blamed on the option, not the case file.
      const zero = runSirtsim(["simulate", file, "--out", join(dir, "zero"), "--workers", "1", "--lq", "tumour.alphaBetaGy=0"]);
      expect(zero.code).toBe(2);
      expect(zero.stderr).toContain("must be a number in (0, 1000]");
      const iso = runSirtsim(["simulate", file, "--out", join(dir, "iso"), "--workers", "1", "--isodose", "0,40"]);
      expect(iso.code).toBe(2);
      expect(iso.stderr).toContain("--isodose must be 1–8 doses in Gy, each in (0, 10000]");
      expect(iso.stderr).not.toContain("case.json");
      expect(existsSync(join(dir, "zero")) || existsSync(join(dir, "iso"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `sirtsim plan` through the real CLI (node dist/src/cli/main.js; `npm test` builds first via
 * pretest) and in-process for the table format.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSirtsim } from "../helpers/cli.js";
import { formatPlan } from "../../src/cli/commands/plan.js";
import { parseCase } from "../../src/io/caseFile.js";
import { planTreatment } from "../../src/planning/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
let dir: string;

const sirtsim = (...args: string[]) => runSirtsim(args);

function writeCase(name: string, json: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json));
  return file;
}

const issueCase = {
  product: "sir-spheres",
  method: "partition",
  lungShuntFraction: 0.08,
  lungMassKg: 1.0,
  patient: { heightCm: 175, weightKg: 75 },
  compartments: [
    { name: "seg8", kind: "tumour", massKg: 0.2, tumourToNormalRatio: 4 },
    { name: "normal", kind: "normal", massKg: 1.3 },
  ],
  target: { compartment: "normal", doseGy: 40 },
  doseCoefficientGyKgPerGBq: 49.67,
};

beforeAll(() => {
  // `npm test` builds first (pretest); build here too when run alone on a clean clone.
  if (!existsSync(join(root, "dist/src/cli/commands/plan.js"))) {
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
    } catch {
      // Type errors elsewhere still emit JavaScript; a missing main.js fails the tests below.
    }
  }
  dir = mkdtempSync(join(tmpdir(), "sirtsim-plan-test-"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sirtsim plan (CLI)", () => {
  it("sirtsim plan CASE --json prints exactly one JSON document with the issue's numbers and exits 0", () => {
    const r = sirtsim("plan", writeCase("issue.json", issueCase), "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout); // throws if stdout holds anything but one JSON document
    expect(doc.method).toBe("partition");
    expect(doc.product).toBe("sir-spheres");
    expect(doc.activityGBq).toBeCloseTo(1.83822, 5);
    expect(doc.compartments.seg8).toMatchObject({ massKg: 0.2 });
    expect(doc.compartments.seg8.doseGy).toBeCloseTo(160, 9);
    expect(doc.compartments.lung.doseGy).toBeCloseTo(7.304, 3);
    expect(Object.keys(doc.compartments)).toEqual(["seg8", "normal", "lung"]);
    expect(doc.limits.binding).toBe("normalLiver");
    expect(doc.advisories).toEqual([]);
    expect(doc.provenance).toMatchObject({
      doseCoefficientGyKgPerGBq: 49.67,
      doseCoefficientConvention: "user",
      nuclide: "Y-90",
      version,
    });
  });

  it("sirtsim plan CASE prints a readable table on stdout", () => {
    const r = sirtsim("plan", writeCase("issue-table.json", issueCase));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Administered activity: 1.8382 GBq");
    expect(r.stdout).toMatch(/seg8\s+tumour\s+0\.200\s+0\.6443\s+160\.00\s+4/);
    expect(r.stdout).toContain("normalLiver binds");
  });

  it.each(["plan-resin-bsa-whole-liver.json", "plan-resin-partition-net.json", "plan-glass-segmentectomy.json", "plan-ho166-whole-liver.json"])(
    "plans the bundled case %s with exit 0 and one JSON document",
    (file) => {
      const r = sirtsim("plan", join("fixtures/cases", file), "--json");
      expect(r.code).toBe(0);
      // stderr holds only the plan's warnings (issue 15.2: said out loud even with --json).
      for (const line of r.stderr.split("\n").filter(Boolean)) expect(line).toMatch(/^(warning|contraindication): /);
      const doc = JSON.parse(r.stdout);
      expect(doc.activityGBq).toBeGreaterThan(0);
      expect(doc.provenance.doseCoefficientConvention).toBeTypeOf("string");
    },
  );

  it("reports the activity to order at calibration for the NET case (decay and residual)", () => {
    const doc = JSON.parse(sirtsim("plan", "fixtures/cases/plan-resin-partition-net.json", "--json").stdout);
    // 2026-03-02T18:00-05:00 = 23:00Z → 10:00Z next day: 11 h. Order = A / 0.97 · exp(ln2 · 11 / 64.1).
    expect(doc.decay.hoursCalibrationToTreatment).toBe(11);
    expect(doc.decay.activityAtCalibrationGBq).toBeCloseTo((doc.activityGBq / 0.97) * Math.exp((Math.LN2 * 11) / 64.1), 10);
  });

  const invalid: [string, unknown, RegExp][] = [
    ["LSF out of range", { ...issueCase, lungShuntFraction: 1.2 }, /^error: lungShuntFraction must be in \[0, 1\), got 1\.2/],
    ["activity in kg", { ...issueCase, target: undefined, activityGBq: "3 kg" }, /^error: activityGBq must be an activity/],
    ["missing method", { ...issueCase, method: undefined }, /^error: method is required/],
    ["negative mass", { ...issueCase, compartments: [{ ...issueCase.compartments[0], massKg: -1 }, issueCase.compartments[1]] }, /^error: compartments\[0\]\.massKg must be in \(0, 10\] kg/],
    ["unknown key", { ...issueCase, lungshuntfraction: 0.1 }, /^error: lungshuntfraction is not a known field/],
    ["not JSON", "{ product: sir-spheres", /^error: .*not valid JSON/],
  ];

  it.each(invalid)("exits 2 with one line naming the field for %s, and prints nothing on stdout", (_what, json, message) => {
    const r = sirtsim("plan", writeCase(`bad-${_what.replace(/\W+/g, "-")}.json`, json), "--json");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 for a missing case file and for a missing argument", () => {
    const missing = sirtsim("plan", join(dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the case file \(ENOENT\)/);
    expect(sirtsim("plan").code).toBe(2);
  });
});

describe("formatPlan", () => {
  it("lists every compartment, the lung, the constraints and the K used", () => {
    const text = formatPlan(planTreatment(parseCase(issueCase)));
    for (const s of ["seg8", "normal", "lung", "lungSingle", "lungCumulative", "49.67 Gy·kg/GBq", "Advisories: none"]) {
      expect(text).toContain(s);
    }
  });

  it("rounds for reading: a 0.28 g tumour's mass in 3 significant digits (not 0.000), a measured T/N to 4, a derived K to 2 decimals without \"derived: Derived\"", () => {
    const small = { ...issueCase, compartments: [{ name: "tiny", kind: "tumour", massKg: 0.00028, tumourToNormalRatio: 3.2220929416569466 }, { name: "normal", kind: "normal", massKg: 1.3 }] } as Record<string, unknown>;
    delete small.doseCoefficientGyKgPerGBq;
    const text = formatPlan(planTreatment(parseCase(small)));
    const row = text.split("\n").find((l) => l.startsWith("tiny"));
    expect(row).toMatch(/tumour\s+0\.000280\s/);
    expect(row).toMatch(/\s3\.222$/);
    expect(text).toMatch(/Dose coefficient K: \d+\.\d\d Gy·kg\/GBq \(Derived from mean energy/);
    expect(text).not.toContain("derived: Derived");
  });
});

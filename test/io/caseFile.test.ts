import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { caseSchema, caseSchemaJsonText, parseCase, RESERVED_SECTIONS } from "../../src/io/caseFile.js";
import { parseQuantity } from "../../src/io/quantity.js";
import { InputError } from "../../src/errors.js";

const root = new URL("../../", import.meta.url);

/** The example case. */
const valid = () => ({
  product: "sir-spheres",
  method: "partition",
  lungShuntFraction: 0.08,
  lungMassKg: 1.0,
  patient: { heightCm: 175, weightKg: 75 },
  compartments: [
    { name: "seg8", kind: "tumour", massKg: 0.2, tumourToNormalRatio: 4 },
    { name: "normal", kind: "normal", volumeMl: 1260 },
  ],
  target: { compartment: "normal", doseGy: 40 },
  doseCoefficientGyKgPerGBq: 49.67,
});

/** parseCase's error message for a case, or "" if it parsed. */
function errorOf(json: unknown): string {
  try {
    parseCase(json, "case.json");
    return "";
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
}

describe("parseQuantity", () => {
  it.each([
    ["3.2 GBq", "activity", 3.2],
    ["500 MBq", "activity", 0.5],
    ["20 mCi", "activity", 0.74],
    ["1600 mL", "volume", 1600],
    ["1.6 L", "volume", 1600],
    ["175 cm", "length", 175],
    ["1.75 m", "length", 175],
    ["72 kg", "mass", 72],
    ["1800 g", "mass", 1.8],
    ["96 h", "time", 96],
    ["4 days", "time", 96],
    ["8 %", "fraction", 0.08],
    ["120 Gy", "dose", 120],
    ["1.05 g/mL", "density", 1.05],
    ["2.5", "activity", 2.5],
  ] as const)("parseQuantity(%s, %s) is %f in the field's unit", (text, kind, value) => {
    const r = parseQuantity(text, kind);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toBeCloseTo(value, 10);
  });

  it.each([
    ["3 kg", "activity"],
    ["3 Hz", "activity"],
    ["3 J/kg", "dose"],
    ["1600 mL", "mass"],
    ["abc", "volume"],
    ["8 kg", "fraction"],
  ] as const)("parseQuantity(%s, %s) is refused as the wrong kind", (text, kind) => {
    expect(parseQuantity(text, kind).ok).toBe(false);
  });
});

describe("parseCase", () => {
  it("parses the issue's example: volumes become masses at 1.03 g/mL, defaults are applied", () => {
    const c = parseCase(valid());
    expect(c.compartments[1].massKg).toBeCloseTo(1.2978, 12);
    expect(c).toMatchObject({ lungMassKg: 1, priorLungDoseGy: 0, indication: "other", scenario: "whole-liver", pretreated: false });
    expect(c.target).toEqual({ compartment: "normal", doseGy: 40 });
  });

  it("accepts strings with units and converts them to the field's unit", () => {
    const c = parseCase({
      ...valid(),
      lungShuntFraction: "8 %",
      lungMassKg: "1000 g",
      densityGPerMl: "1.05 g/mL",
      compartments: [
        { name: "t", kind: "tumour", massKg: "200 g", tumourToNormalRatio: 4 },
        { name: "n", kind: "normal", volumeMl: "1.6 L", densityGPerMl: 1.0 },
        { name: "m", kind: "normal", volumeMl: "100 mL" },
      ],
      target: { compartment: "t", doseGy: "150 Gy" },
      doseCoefficientGyKgPerGBq: undefined,
    });
    expect(c.lungShuntFraction).toBeCloseTo(0.08, 14);
    expect(c.lungMassKg).toBe(1);
    expect(c.compartments.map((x) => x.massKg)).toEqual([0.2, 1.6, 0.105]);
    expect(c.target?.doseGy).toBe(150);
  });

  it("accepts the sections owned by later stages without validating them", () => {
    const extra = Object.fromEntries(RESERVED_SECTIONS.map((k) => [k, { anything: [1, 2, 3] }]));
    expect(() => parseCase({ ...valid(), ...extra })).not.toThrow();
  });

  it("computes the hours from calibration to treatment from ISO date-times", () => {
    const c = parseCase({ ...valid(), calibrationTime: "2026-03-01T12:00:00Z", treatmentTime: "2026-03-05T12:00:00+00:00" });
    expect(c.timing?.hoursCalibrationToTreatment).toBe(96);
  });

  it("defaults the MIRD target to the perfused volume", () => {
    const c = parseCase({ product: "therasphere", method: "mird", lungShuntFraction: 0.05, compartments: [{ name: "liver", kind: "perfused", massKg: 1.5 }], target: { doseGy: 120 } });
    expect(c.target).toEqual({ compartment: "perfused", doseGy: 120 });
  });

  it("exports caseSchema as a zod object that the lead can extend", () => {
    expect(typeof caseSchema.extend).toBe("function");
    expect(Object.keys(caseSchema.shape)).toEqual(expect.arrayContaining(["geometry", "compartments", "lungShuntFraction"]));
  });

  const mird = { product: "therasphere", method: "mird", lungShuntFraction: 0.05, compartments: [{ name: "liver", kind: "perfused", massKg: 1.5 }], target: { doseGy: 120 } };
  const c0 = (over: object) => ({ ...valid(), compartments: [{ ...valid().compartments[0], ...over }, valid().compartments[1]] });

  // [what, case, regexp the one-line message must match]
  const invalid: [string, unknown, RegExp][] = [
    ["LSF out of range", { ...valid(), lungShuntFraction: 1.2 }, /^lungShuntFraction must be in \[0, 1\), got 1\.2/],
    ["LSF of exactly 1", { ...valid(), lungShuntFraction: 1 }, /^lungShuntFraction must be in \[0, 1\)/],
    ["negative LSF", { ...valid(), lungShuntFraction: -0.1 }, /^lungShuntFraction must be in \[0, 1\)/],
    ["NaN LSF", { ...valid(), lungShuntFraction: NaN }, /^lungShuntFraction must be a fraction in \[0, 1\).*got NaN/],
    ["Infinity activity", { ...mird, target: undefined, activityGBq: Infinity }, /^activityGBq must be an activity in \(0, 100\] GBq/],
    ["LSF with a unit", { ...valid(), lungShuntFraction: "3 kg" }, /^lungShuntFraction must be a fraction/],
    ["LSF missing", { ...valid(), lungShuntFraction: undefined }, /^lungShuntFraction is required \(a fraction in \[0, 1\)\)/],
    ["activity in kg", { ...mird, target: undefined, activityGBq: "3 kg" }, /^activityGBq must be an activity \(GBq, MBq, mCi\), got "3 kg"/],
    ["activity negative", { ...mird, target: undefined, activityGBq: -2 }, /^activityGBq must be in \(0, 100\] GBq, got -2/],
    ["activity as boolean", { ...mird, target: undefined, activityGBq: true }, /^activityGBq must be an activity in/],
    ["negative mass", c0({ massKg: -0.2 }), /^compartments\[0\]\.massKg must be in \(0, 10\] kg, got -0\.2/],
    ["zero mass", c0({ massKg: 0 }), /^compartments\[0\]\.massKg must be in \(0, 10\] kg/],
    ["mass in mL", c0({ massKg: "200 mL" }), /^compartments\[0\]\.massKg must be a mass/],
    ["mass and volume", c0({ volumeMl: 200 }), /^compartments\[0\] must give massKg or volumeMl, not both/],
    ["neither mass nor volume", c0({ massKg: undefined }), /^compartments\[0\] must give massKg or volumeMl/],
    ["volume too large", c0({ massKg: undefined, volumeMl: 20000 }), /^compartments\[0\]\.volumeMl must be in \(0, 10000\] mL/],
    ["bad density", c0({ densityGPerMl: 0 }), /^compartments\[0\]\.densityGPerMl must be in \[0\.5, 3\] g\/mL/],
    ["T/N zero", c0({ tumourToNormalRatio: 0 }), /^compartments\[0\]\.tumourToNormalRatio must be in \(0, 1000\]/],
    ["T/N missing for partition", c0({ tumourToNormalRatio: undefined }), /^compartments\[0\]\.tumourToNormalRatio is required for method partition/],
    ["T/N on normal liver", { ...valid(), compartments: [valid().compartments[0], { ...valid().compartments[1], tumourToNormalRatio: 2 }] }, /^compartments\[1\]\.tumourToNormalRatio is only for kind "tumour"/],
    ["unknown kind", c0({ kind: "lesion" }), /^compartments\[0\]\.kind must be one of tumour, normal, perfused, got "lesion"/],
    ["perfused kind in partition", c0({ kind: "perfused", tumourToNormalRatio: undefined }), /^compartments\[0\]\.kind must be "tumour" or "normal" for method partition/],
    ["compartment named lung", c0({ name: "lung" }), /^compartments\[0\]\.name must not be "lung"/],
    ["duplicate names", c0({ name: "normal" }), /^compartments\[1\]\.name "normal" is used by two compartments/],
    ["empty name", c0({ name: "" }), /^compartments\[0\]\.name must not be empty/],
    ["no compartments", { ...valid(), compartments: [] }, /^compartments must list at least one compartment/],
    ["compartments missing", { ...valid(), compartments: undefined }, /^compartments is required/],
    ["unknown product", { ...valid(), product: "yttrium" }, /^product must be one of sir-spheres, therasphere, quiremspheres, got "yttrium"/],
    ["product missing", { ...valid(), product: undefined }, /^product is required/],
    ["unknown method", { ...valid(), method: "voxel" }, /^method must be one of bsa, mird, partition/],
    ["unknown top-level key", { ...valid(), lungShunt: 0.1 }, /^lungShunt is not a known field/],
    ["unknown compartment key", c0({ mass: 1 }), /^compartments\[0\]\.mass is not a known field/],
    ["unknown patient key", { ...valid(), patient: { heightCm: 170, age: 60 } }, /^patient\.age is not a known field/],
    ["height out of range", { ...valid(), patient: { heightCm: 1750, weightKg: 70 } }, /^patient\.heightCm must be in \[30, 250\] cm/],
    ["height in kg", { ...valid(), patient: { heightCm: "70 kg", weightKg: 70 } }, /^patient\.heightCm must be a length/],
    ["BSA without patient", { ...valid(), method: "bsa", target: undefined, patient: undefined }, /^patient is required for method bsa/],
    ["BSA without weight", { ...valid(), method: "bsa", target: undefined, patient: { heightCm: 170 } }, /^patient\.weightKg is required for method bsa/],
    ["BSA with a target", { ...valid(), method: "bsa" }, /^target is not used by method bsa/],
    ["no target nor activity", { ...valid(), target: undefined }, /^target is required for method partition/],
    ["target and activity", { ...valid(), activityGBq: 2 }, /^activityGBq cannot be given together with target/],
    ["target on unknown compartment", { ...valid(), target: { compartment: "seg9", doseGy: 40 } }, /^target\.compartment must be one of seg8, normal, perfused, lung, got "seg9"/],
    ["target dose negative", { ...valid(), target: { compartment: "normal", doseGy: -40 } }, /^target\.doseGy must be in \(0, 5000\] Gy/],
    ["target dose missing", { ...valid(), target: { compartment: "normal" } }, /^target\.doseGy is required/],
    ["K zero", { ...valid(), doseCoefficientGyKgPerGBq: 0 }, /^doseCoefficientGyKgPerGBq must be in \(0, 100\]/],
    ["lung mass negative", { ...valid(), lungMassKg: -1 }, /^lungMassKg must be in \(0, 10\] kg/],
    ["prior lung dose negative", { ...valid(), priorLungDoseGy: -5 }, /^priorLungDoseGy must be in \[0, 1000\] Gy/],
    ["residual of 1", { ...valid(), residualFraction: 1 }, /^residualFraction must be in \[0, 1\)/],
    ["bad date-time", { ...valid(), calibrationTime: "yesterday", treatmentTime: "2026-03-01T00:00:00Z" }, /^calibrationTime must be an ISO 8601 date-time/],
    ["calibration without treatment", { ...valid(), calibrationTime: "2026-03-01T00:00:00Z" }, /^treatmentTime is required when/],
    ["hours and times", { ...valid(), calibrationTime: "2026-03-01T00:00:00Z", treatmentTime: "2026-03-02T00:00:00Z", hoursCalibrationToTreatment: 24 }, /^hoursCalibrationToTreatment cannot be given together/],
    ["hours in GBq", { ...valid(), hoursCalibrationToTreatment: "3 GBq" }, /^hoursCalibrationToTreatment must be a time/],
    ["unknown indication", { ...valid(), indication: "liver" }, /^indication must be one of hcc, icc, mcrc, net, other/],
    ["pretreated not boolean", { ...valid(), pretreated: "yes" }, /^pretreated must be true or false/],
    ["whole liver smaller than perfused", { ...valid(), method: "bsa", target: undefined, wholeLiver: { massKg: 1 } }, /^wholeLiver must be at least the perfused mass/],
    ["whole liver with a method that ignores it", { ...valid(), wholeLiver: { massKg: 2 } }, /^wholeLiver is used only by method bsa .*method partition/],
    ["limit negative", { ...valid(), limits: { lungDoseGy: -1 } }, /^limits\.lungDoseGy must be in \(0, 5000\] Gy/],
    ["unknown limit", { ...valid(), limits: { liverDoseGy: 10 } }, /^limits\.liverDoseGy is not a known field/],
    ["lung target with LSF 0", { ...valid(), lungShuntFraction: 0, target: { compartment: "lung", doseGy: 5 } }, /^target\.compartment "lung" needs lungShuntFraction > 0/],
    ["MIRD target on one of several compartments", { ...valid(), method: "mird", target: { compartment: "seg8", doseGy: 100 } }, /^target\.compartment must be "perfused" or "lung" for method mird/],
    ["not an object", [1, 2], /^case must be a JSON object/],
    ["null", null, /^case must be a JSON object/],
  ];

  it.each(invalid)("rejects %s with a message naming the field", (_what, json, message) => {
    const text = errorOf(json);
    expect(text).toMatch(message);
    expect(text).toContain("(in case.json)");
    expect(text).not.toContain("\n");
  });
});

describe("schema/case.schema.json", () => {
  it("equals a freshly generated schema (run npx tsx scripts/generate-case-schema.ts after changing the zod schema)", () => {
    const committed = readFileSync(new URL("schema/case.schema.json", root), "utf8");
    expect(committed).toBe(caseSchemaJsonText());
  });

  it("lists the required fields and forbids unknown top-level keys", () => {
    const schema = JSON.parse(caseSchemaJsonText());
    expect(schema.required).toEqual(["product", "method", "lungShuntFraction"]);
    // Simulation sections carry their stage's schema (compartments may then be derived from geometry).
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["geometry", "tree", "injection", "transport", "dose", "compartments"]));
    expect(schema.properties.tree.properties.murrayExponent.maximum).toBe(4);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("bundled plan-* cases", () => {
  it.each([
    "plan-resin-bsa-whole-liver.json",
    "plan-resin-partition-net.json",
    "plan-glass-segmentectomy.json",
    "plan-ho166-whole-liver.json",
    "plan-glass-partition-hcc.json",
  ])("%s parses", (file) => {
    const json = JSON.parse(readFileSync(new URL(`fixtures/cases/${file}`, root), "utf8"));
    expect(() => parseCase(json, file)).not.toThrow();
  });
});

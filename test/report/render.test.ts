import { describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { renderReport } from "../../src/report/index.js";
import { encodeVolume, viewSpecs } from "../../src/report/encode.js";
import { createStream } from "../../src/random/stream.js";
import { InputError } from "../../src/errors.js";
import type { GridGeometry } from "../../src/geometry/grid.js";
import { phantomReportInput, withCt } from "./phantom.js";

const MB = 1_000_000;

function embeddedData(html: string): any {
  const m = html.match(/<script type="application\/json" id="sirtsim-data">(.*?)<\/script>/s);
  if (!m) throw new Error("no data block");
  return JSON.parse(m[1]);
}

describe("renderReport", () => {
  it("renderReport keeps a 128³ case with a noisy dose and a noisy CT under 5 MB, with a 16-bit dose map", () => {
    const input = withCt(phantomReportInput(128));
    const rs = createStream(7, 0);
    const dose = input.doseGy.data as Float32Array;
    for (let v = 0; v < dose.length; v++) if (dose[v] > 0) dose[v] *= 1 + 0.1 * (rs.nextFloat() - 0.5); // ±5 % Monte Carlo noise
    const ct = (input.anatomy!.grid.data as Float32Array);
    for (let v = 0; v < ct.length; v++) if (ct[v] > -1000) ct[v] += 30 * rs.nextNormal(); // 30 HU image noise
    const html = renderReport(input);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * MB);
    expect(embeddedData(html).dose.volume.type).toBe("u16");
  });

  it("renderReport stays under 5 MB even for 128³ of pure noise in the dose and the CT (coarser quantisation)", () => {
    const input = withCt(phantomReportInput(128));
    const rs = createStream(8, 0);
    const dose = input.doseGy.data as Float32Array;
    for (let v = 0; v < dose.length; v++) dose[v] = 250 * rs.nextFloat();
    const ct = input.anatomy!.grid.data as Float32Array;
    for (let v = 0; v < ct.length; v++) ct[v] = -200 + 500 * rs.nextFloat();
    expect(Buffer.byteLength(renderReport(input))).toBeLessThan(5 * MB);
  });

  it("renderReport embeds the dose so that the page recovers every voxel within half a quantisation step", () => {
    const input = phantomReportInput(32);
    const data = embeddedData(renderReport(input)).dose;
    const bytes = gunzipSync(Buffer.from(data.volume.b64, "base64"));
    const stored = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    expect(stored.length).toBe(input.doseGy.data.length);
    let worst = 0;
    for (let v = 0; v < stored.length; v++) worst = Math.max(worst, Math.abs(stored[v] * data.volume.scale + data.volume.offset - input.doseGy.data[v]));
    expect(worst).toBeLessThanOrEqual(data.volume.scale / 2 + 1e-9);
  });

  it("renderReport escapes user text so it cannot inject markup or close the data script", () => {
    const base = phantomReportInput(16);
    const input = {
      ...base, title: '<img src=x onerror="alert(1)">', summary: [{ label: "</script><script>alert(2)</script>", value: "a & b" }],
      dvh: [{ ...base.dvh[0], name: "</script><b>x" }, ...base.dvh.slice(1)],
    };
    const html = renderReport(input);
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html.match(/<\/script>/g)!.length).toBe(3); // Plotly, the data block, our script
    expect(embeddedData(html).dvh[0].name).toBe("</script><b>x");
  });

  it("renderReport makes no reference to a network resource (no src/href to http, no @import)", () => {
    const html = renderReport(phantomReportInput(16));
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?https?:/i);
    expect(html).not.toMatch(/@import/);
  });

  it("renderReport rejects a NaN dose and a dose grid whose data does not match its dims", () => {
    const input = phantomReportInput(16);
    const bad = { ...input, doseGy: { ...input.doseGy, data: input.doseGy.data.slice() } };
    (bad.doseGy.data as Float32Array)[3] = NaN;
    expect(() => renderReport(bad)).toThrow(/doseGy: voxel 3 is NaN Gy/);
    expect(() => renderReport({ ...input, doseGy: { ...input.doseGy, data: new Float32Array(5) } })).toThrow(InputError);
  });
});

describe("encodeVolume and viewSpecs", () => {
  it("encodeVolume(8 bits) maps the range onto 0..255 and clamps outside it", () => {
    const enc = encodeVolume([-10, 0, 50, 100, 200], 0, 100, 8);
    const stored = gunzipSync(Buffer.from(enc.b64, "base64"));
    expect(Array.from(stored)).toEqual([0, 0, 128, 255, 255]);
    expect(enc.scale).toBeCloseTo(100 / 255, 12);
  });

  it("viewSpecs shows the patient's right on the screen's left whatever the grid's axis signs", () => {
    const ras: GridGeometry = { dims: [4, 4, 4], spacingMm: [1, 1, 1], originMm: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], frame: "RAS" };
    const lps: GridGeometry = { ...ras, frame: "LPS" };
    const [axialRas] = viewSpecs(ras);
    const [axialLps] = viewSpecs(lps);
    // RAS: i runs towards the patient's right → reversed; LPS: i runs towards the left → not reversed.
    expect(axialRas.hReversed).toBe(true);
    expect(axialLps.hReversed).toBe(false);
    // LPS: j runs posterior, so anterior-up needs the vertical axis reversed.
    expect(axialLps.vReversed).toBe(true);
    // A grid whose axes are permuted (k along x): the axial view slices along the axis nearest S.
    const permuted: GridGeometry = { ...ras, direction: [0, 0, 1, 1, 0, 0, 0, 1, 0] };
    const specs = viewSpecs(permuted);
    expect(specs.map((s) => s.sliceAxis)).toEqual([1, 0, 2]);
  });
});

describe("encodeTree", () => {
  it("encodeTree keeps the widest segments and converts LPS points to RAS", async () => {
    const { encodeTree } = await import("../../src/report/encode.js");
    const tree = {
      proximalMm: [0, 0, 0, 10, 0, 0, 10, 0, 0], distalMm: [10, 0, 0, 20, 5, 0, 20, -5, 0],
      radiusMm: [2, 1.5, 1], lodged: [0, 5, 7], frame: "LPS" as const,
    };
    const enc = encodeTree(tree, 2);
    expect(enc.count).toBe(2);
    expect(enc.total).toBe(3);
    expect(enc.maxLodged).toBe(5); // the narrowest segment (7 spheres) was dropped
    expect(enc.lo).toEqual([-20, -5, 0]); // x and y negated
    expect(enc.hi.map((v) => v + 0)).toEqual([0, 0, 0]);
  });
});

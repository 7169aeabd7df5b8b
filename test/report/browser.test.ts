/**
 * The report in a real browser: Debian's Chromium driven by playwright-core. Skipped (with a
 * note) when /usr/bin/chromium is absent; .ci/run installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { renderReport } from "../../src/report/index.js";
import { phantomReportInput, withCt } from "./phantom.js";
import { CHROMIUM, hasChromium, launchChromium, recordedPage, type PageLog } from "./chromium.js";

if (!hasChromium) console.log(`note: ${CHROMIUM} not found: skipping the report browser tests (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)("renderReport in headless Chromium", () => {
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sirtsim-report-"));
    context = await launchChromium(dir);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Open a report file; every request that is not file:, data: or blob: is recorded and aborted. */
  async function open(html: string, name: string): Promise<{ page: Page; log: PageLog }> {
    const path = join(dir, name);
    await writeFile(path, html);
    const { page, log } = await recordedPage(context);
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('body[data-report-ready="true"]', { timeout: 60_000 }).catch(async (err) => {
      throw new Error(`report never became ready (${err.message}); errors: ${log.errors.join(" | ")}`);
    });
    return { page, log };
  }

  async function plotTraces(page: Page): Promise<Record<string, Array<{ type: string; name: string }>>> {
    return page.evaluate(() => {
      const out: Record<string, Array<{ type: string; name: string }>> = {};
      const document = (globalThis as any).document;
      document.querySelectorAll(".js-plotly-plot").forEach((el: any) => {
        out[el.id] = ((el as any).data as any[]).map((t) => ({ type: t.type, name: t.name }));
      });
      return out;
    });
  }

  it("the report with a label map, clusters and a tree opens with no console error and no network request, and draws every plot", async () => {
    const input = phantomReportInput(64);
    const { page, log } = await open(renderReport(input), "labels.html");
    const traces = await plotTraces(page);
    expect(Object.keys(traces).sort()).toEqual(["cluster-plot", "dvh-plot", "view-axial", "view-coronal", "view-sagittal"]);
    for (const view of ["view-axial", "view-coronal", "view-sagittal"]) {
      const names = traces[view].map((t) => `${t.type}:${t.name}`);
      expect(names).toEqual([
        "heatmap:VOIs", "heatmap:dose",
        "contour:40 Gy", "contour:100 Gy", "contour:150 Gy", "contour:205 Gy",
        "contour:normal liver", "contour:tumour 1", "contour:tumour 2",
      ]);
    }
    expect(traces["dvh-plot"].map((t) => `${t.type}:${t.name}`)).toEqual(["scatter:normal liver", "scatter:tumour 1", "scatter:tumour 2"]);
    expect(traces["cluster-plot"].map((t) => t.type)).toEqual(["bar"]);

    // The dose trace holds Gy values: the axial slice through the hottest voxel reaches the maximum.
    const maxOnSlice = await page.evaluate(() => {
      const el = (globalThis as any).document.getElementById("view-axial");
      const z: Array<Array<number | null>> = el.data[1].z;
      return Math.max(...z.flat().map((v) => v ?? 0));
    });
    let maxGy = 0;
    for (const d of input.doseGy.data) maxGy = Math.max(maxGy, d);
    expect(Math.abs(maxOnSlice - maxGy) / maxGy).toBeLessThan(1e-4);

    if (process.env.SIRTSIM_SCREENSHOT) await page.screenshot({ path: process.env.SIRTSIM_SCREENSHOT, fullPage: true });
    // Moving a slider redraws that view on another slice.
    const before = await page.textContent("#caption-axial");
    await page.evaluate(() => {
      const s = (globalThis as any).document.getElementById("slider-axial");
      s.value = "3";
      s.dispatchEvent(new Event("input"));
    });
    await page.waitForFunction(() => (globalThis as any).document.getElementById("caption-axial").textContent.startsWith("slice 4 /"));
    expect(await page.textContent("#caption-axial")).not.toBe(before);

    // The tree is drawn on the canvas: every segment, and a good number of coloured pixels.
    const tree = await page.evaluate(() => {
      const c = (globalThis as any).document.getElementById("tree-canvas");
      const img: Uint8ClampedArray = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let p = 0; p < img.length; p += 4) if (img[p] < 240 || img[p + 1] < 240 || img[p + 2] < 240) inked++;
      return { drawn: Number(c.getAttribute("data-drawn")), inked };
    });
    expect(tree.drawn).toBe(input.tree!.radiusMm.length);
    expect(tree.inked).toBeGreaterThan(2000);

    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([]);
    await page.close();
  });

  it("numeric cluster sizes sit on a log x axis at their value, each view has a mm scale bar, outlines are drawn with the tree", async () => {
    const base = phantomReportInput(32);
    const outline = { name: "tumour 1", kind: "tumour" as const, pointsMm: new Float32Array([10, 0, 0, -10, 0, 0, 0, 10, 0, 0, -10, 0]) };
    const input = {
      ...base,
      clusterHistogram: { spheresPerCluster: [1, 2, 17, 161, 292, 405], counts: [5000, 800, 20, 3, 1, 1], definition: "A cluster is …" },
      tree: { ...base.tree!, outlines: [outline] },
    };
    const { page, log } = await open(renderReport(input), "clusters.html");
    const layout = await page.evaluate(() => {
      const d = (globalThis as any).document;
      const c = d.getElementById("cluster-plot");
      const a = d.getElementById("view-axial");
      return {
        xType: c.layout.xaxis.type, traceType: c.data[0].type, xs: c.data[0].x.filter((v: number | null) => v !== null),
        bar: a.layout.shapes.map((s: any) => Math.abs(s.x1 - s.x0)), barText: a.layout.annotations.map((t: any) => t.text),
        definition: d.getElementById("cluster-definition").textContent,
      };
    });
    expect(layout.xType).toBe("log");
    expect(layout.traceType).toBe("scatter");
    expect([...new Set(layout.xs)]).toEqual([1, 2, 17, 161, 292, 405]);
    expect(layout.bar).toHaveLength(1);
    expect(layout.barText).toEqual([`${layout.bar[0]} mm`]);
    expect(layout.definition).toBe("A cluster is …");
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([]);
    await page.close();
  });

  it("the report with a CT and no simulation sections draws the CT under the dose, with no error and no request", async () => {
    const input = { ...withCt(phantomReportInput(48)), tree: undefined, clusterHistogram: undefined };
    const { page, log } = await open(renderReport(input), "ct.html");
    const traces = await plotTraces(page);
    expect(Object.keys(traces).sort()).toEqual(["dvh-plot", "view-axial", "view-coronal", "view-sagittal"]);
    expect(traces["view-axial"].slice(0, 2).map((t) => `${t.type}:${t.name}`)).toEqual(["heatmap:CT", "heatmap:dose"]);
    expect(await page.$("#tree-canvas")).toBeNull();
    if (process.env.SIRTSIM_SCREENSHOT) await page.screenshot({ path: process.env.SIRTSIM_SCREENSHOT.replace(/\.png$/, "-ct.png"), fullPage: true });
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([]);
    await page.close();
  });

  it("a minimal report (zero dose, no anatomy, no DVH) opens with no error", async () => {
    const g = phantomReportInput(16).doseGy;
    const html = renderReport({ title: "empty", summary: [], doseGy: { ...g, data: new Float32Array(g.data.length) }, dvh: [], metrics: { columns: [], rows: [] }, advisories: [] });
    const { page, log } = await open(html, "empty.html");
    const traces = await plotTraces(page);
    expect(traces["view-axial"].map((t) => t.name)).toEqual(["dose"]);
    expect(log.errors).toEqual([]);
    expect(log.requests).toEqual([]);
    await page.close();
  });

  it("the harness itself catches a network request and a console error (so the checks above can fail)", async () => {
    const g = phantomReportInput(16).doseGy;
    const html = renderReport({ title: "probe", summary: [], doseGy: g, dvh: [], metrics: { columns: [], rows: [] }, advisories: [] })
      .replace("</body>", '<img src="https://example.invalid/probe.png"><script>console.error("probe error")</script></body>');
    const { page, log } = await open(html, "probe.html");
    expect(log.requests).toContain("https://example.invalid/probe.png");
    expect(log.errors.some((e) => e.includes("probe error"))).toBe(true);
    await page.close();
  });
});

/**
 * Issue 18.2: a parameter change on a 2e4-terminal liver updates the playground's maps and DVHs
 * in ≤ 2 s in headless Chromium on 2 cores.
 *
 *   npx tsx bench/playground.ts [rounds=5] [preset=net] [terminals=20000]
 *
 * Builds the page into a temporary folder, opens it from the file system in Debian's Chromium
 * (playwright-core), waits for both sides' first runs, then changes one control of side A per
 * round and times it from the input event to the redrawn maps and DVHs (body[data-runs-a]):
 * the lung shunt fraction (tree and domain kept), the product (same), and a tumour's T/N (the
 * domain and the tree are rebuilt). Baseline in the same run: the same change through the same
 * engine in Node (runCase, one thread), wall and CPU time. Prints the load average: this machine
 * is shared, wall times move with it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildPlayground } from "../playground/build.js";
import { createEngineCache, heterogeneityModels, runCase } from "../playground/src/engine.js";
import { PRESETS } from "../playground/src/presets.js";
import { caseFromSettings, DEFAULT_CAPACITY_PER_ML, settingsFromCase, type PlaygroundSettings } from "../playground/src/settings.js";
import { CHROMIUM, hasChromium, launchChromium, recordedPage } from "../test/report/chromium.js";

const rounds = Number(process.argv[2] ?? 5);
const presetId = process.argv[3] ?? "net";
const terminals = Number(process.argv[4] ?? 20_000);
const preset = PRESETS.find((p) => p.id === presetId);
if (!preset) throw new Error(`unknown preset ${presetId} (${PRESETS.map((p) => p.id).join(", ")})`);
if (!hasChromium) throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);

interface Change {
  readonly name: string;
  /** Control selector on side A and the values to alternate between. */
  readonly selector: string;
  readonly values: readonly string[];
  readonly apply: (s: PlaygroundSettings, value: string) => PlaygroundSettings;
}

const firstTumour = (s: PlaygroundSettings) => Object.keys(s.tnRatio)[0];
const CHANGES: readonly Change[] = [
  { name: "lung shunt (tree kept)", selector: '#controls-a input[data-key="lungShuntFraction"]', values: ["0.05", "0.03"], apply: (s, v) => ({ ...s, lungShuntFraction: Number(v) }) },
  { name: "product (tree kept)", selector: '#controls-a select[data-key="product"]', values: ["therasphere", "sir-spheres"], apply: (s, v) => ({ ...s, product: v as PlaygroundSettings["product"] }) },
  { name: "T/N of one tumour (tree regrown)", selector: "#controls-a input[data-tumour]", values: ["6", "4"], apply: (s, v) => ({ ...s, tnRatio: { ...s.tnRatio, [firstTumour(s)]: Number(v) } }) },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-bench-playground-"));
  const context = await launchChromium(dir);
  try {
    await buildPlayground(dir);
    const { page, log } = await recordedPage(context);
    const t0 = Date.now();
    await page.goto(`${pathToFileURL(join(dir, "index.html")).href}?preset=${presetId}&terminals=${terminals}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 900_000 });
    console.log(`page ready (both sides' first runs, trees grown) in ${((Date.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);

    // Baseline engine in Node, same case and changes.
    const cases = JSON.parse(await readFile(join(process.cwd(), "fixtures", "cases", `${preset!.base}.json`), "utf8"));
    const models = heterogeneityModels();
    const start = settingsFromCase(cases, models[0].id);
    let nodeSettings: PlaygroundSettings = { ...start, embolicCapacityPerMl: start.embolicCapacityPerMl > 0 ? DEFAULT_CAPACITY_PER_ML : 0, ...preset!.a };
    const cache = createEngineCache();
    await runCase(caseFromSettings(cases, nodeSettings, models[0].transport, terminals), cache);

    console.log("\n| change | browser: input → maps and DVHs redrawn, s (median, min–max) | Node engine wall, s | Node engine CPU, s | browser / Node wall |");
    console.log("|---|---|---|---|---|");
    for (const change of CHANGES) {
      const browser: number[] = [];
      const nodeWall: number[] = [];
      const nodeCpu: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const value = change.values[r % change.values.length];
        const runs = Number(await page.evaluate(() => (globalThis as any).document.body.dataset.runsA));
        const started = Date.now();
        await page.evaluate(([sel, v]) => {
          const el = (globalThis as any).document.querySelector(sel);
          el.value = v;
          el.dispatchEvent(new Event("input"));
        }, [change.selector, value] as const);
        await page.waitForFunction((n) => Number((globalThis as any).document.body.dataset.runsA) > n, runs, { timeout: 900_000 });
        // The page debounces input by 150 ms before it runs: counted in, as a student sees it.
        browser.push((Date.now() - started) / 1000);

        nodeSettings = change.apply(nodeSettings, value);
        const c0 = process.cpuUsage();
        const w0 = performance.now();
        await runCase(caseFromSettings(cases, nodeSettings, models[0].transport, terminals), cache);
        nodeWall.push((performance.now() - w0) / 1000);
        const cpu = process.cpuUsage(c0);
        nodeCpu.push((cpu.user + cpu.system) / 1e6);
      }
      const f = (x: number) => x.toFixed(2);
      console.log(`| ${change.name} | ${f(median(browser))} (${f(Math.min(...browser))}–${f(Math.max(...browser))}) | ${f(median(nodeWall))} | ${f(median(nodeCpu))} | ${f(median(browser) / median(nodeWall))} |`);
    }
    console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(1)).join(" ")}; console errors: ${log.errors.length}; network requests: ${log.requests.length}`);
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

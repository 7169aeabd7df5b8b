/**
 * Issue 18.2: a parameter change on a 2e4-terminal liver updates the playground's maps and DVHs
 * in ≤ 2 s in headless Chromium on 2 cores.
 *
 *   npx tsx bench/playground.ts [rounds=5] [preset=net] [terminals=20000] [helpers] [only]
 *
 * Builds the page into a temporary folder, opens it from the file system in Debian's Chromium
 * (playwright-core), waits for both sides' first runs, then moves one control of side A per round,
 * alternating between two values, for each control (product, prescribed dose, lung shunt,
 * injection site, heterogeneity model, embolic load, a tumour's T/N), and times it from the input
 * event to the redrawn maps and DVHs (body[data-runs-a]; the page's 100 ms wait for a slider or
 * number field to settle counted in). Per stage: the page's own stage times (wall, in its engine
 * worker). `helpers` sets the page's placement helper workers (`?helpers=N`; default: cores − 1).
 * Baseline in the same process: the same change through the same engine in Node on one thread (runCase, no helpers), CPU time
 * per stage (process.cpuUsage at each stage start). Prints the load average: this machine is
 * shared, wall times move with it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildPlayground, numericCase } from "../playground/build.js";
import { createEngineCache, heterogeneityModels, runCase, type EngineStage } from "../playground/src/engine.js";
import { PRESETS } from "../playground/src/presets.js";
import { caseFromSettings, settingsFromCase, type PlaygroundSettings } from "../playground/src/settings.js";
import { CHROMIUM, hasChromium, launchChromium, recordedPage } from "../test/report/chromium.js";
import { median } from "./median.js";

const rounds = Number(process.argv[2] ?? 5);
const presetId = process.argv[3] ?? "net";
const terminals = Number(process.argv[4] ?? 20_000);
const helpers = process.argv[5] === "" || process.argv[5] === "default" ? undefined : process.argv[5];
/** Time only the controls whose name contains this text (e.g. "T/N"); all by default. */
const only = process.argv[6];
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
const models = heterogeneityModels();
const CHANGES: readonly Change[] = [
  { name: "product (resin ↔ Ho-166)", selector: '#controls-a select[data-key="product"]', values: ["quiremspheres", "sir-spheres"], apply: (s, v) => ({ ...s, product: v as PlaygroundSettings["product"] }) },
  { name: "prescribed dose 45 ↔ 40 Gy", selector: '#controls-a input[data-key="targetDoseGy"]', values: ["45", "40"], apply: (s, v) => ({ ...s, targetDoseGy: Number(v) }) },
  { name: "lung shunt 5 % ↔ 3 %", selector: '#controls-a input[data-key="lungShuntFraction"]', values: ["0.05", "0.03"], apply: (s, v) => ({ ...s, lungShuntFraction: Number(v) }) },
  { name: "injection site right hepatic ↔ proper hepatic", selector: '#controls-a select[data-key="entryPoint"]', values: ["right-hepatic", "proper-hepatic"], apply: (s, v) => ({ ...s, entryPoint: v }) },
  { name: `heterogeneity ${models[1].id} ↔ ${models[0].id}`, selector: '#controls-a select[data-key="heterogeneity"]', values: [models[1].id, models[0].id], apply: (s, v) => ({ ...s, heterogeneity: v }) },
  { name: "embolic load heavy ↔ typical", selector: '#controls-a select[data-key="embolicCapacity"]', values: ["0.25", "1"], apply: (s, v) => ({ ...s, embolicCapacity: Number(v) }) },
  { name: "T/N of one tumour 6 ↔ 4 (tree regrown)", selector: "#controls-a input[data-tumour]", values: ["6", "4"], apply: (s, v) => ({ ...s, tnRatio: { ...s.tnRatio, [firstTumour(s)]: Number(v) } }) },
];
const STAGES: readonly EngineStage[] = ["case", "tree", "transport", "deposit", "dose"];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "sirtsim-bench-playground-"));
  const context = await launchChromium(dir);
  try {
    await buildPlayground(dir);
    const { page, log } = await recordedPage(context);
    const t0 = Date.now();
    await page.goto(`${pathToFileURL(join(dir, "index.html")).href}?preset=${presetId}&terminals=${terminals}${helpers === undefined ? "" : `&helpers=${helpers}`}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 900_000 });
    const mode = await page.textContent("#engine-mode");
    const cores = await page.evaluate(() => (globalThis as any).navigator.hardwareConcurrency as number);
    console.log(`page ready (both sides' first runs, trees grown) in ${((Date.now() - t0) / 1000).toFixed(1)} s; engine: ${mode}; navigator.hardwareConcurrency ${cores}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);

    // Baseline engine in Node, same case and changes, one thread.
    const cases = numericCase(JSON.parse(await readFile(join(process.cwd(), "fixtures", "cases", `${preset!.base}.json`), "utf8")), preset!.base);
    const transportOf = (id: string) => (models.find((m) => m.id === id) ?? models[0]).transport;
    const start = settingsFromCase(cases, models[0].id);
    let nodeSettings: PlaygroundSettings = { ...start, ...preset!.a };
    const cache = createEngineCache();
    await runCase(caseFromSettings(cases, nodeSettings, transportOf(nodeSettings.heterogeneity), terminals), cache);

    const f = (x: number) => x.toFixed(2);
    const stageCell = (runs: Array<Record<string, number>>, stage: EngineStage) => f(median(runs.map((r) => (r[stage] ?? 0) / 1000)));
    const rows: string[] = [];
    for (const change of CHANGES.filter((c) => only === undefined || c.name.includes(only))) {
      const browser: number[] = [];
      const browserStages: Array<Record<string, number>> = [];
      const nodeCpu: number[] = [];
      const nodeStages: Array<Record<string, number>> = [];
      let spheres = 0;
      let threads = 0;
      // An even number of moves, so that the next control starts from the preset's value again;
      // the extra move of an odd `rounds` is not timed.
      const moves = rounds + (rounds % 2);
      for (let r = 0; r < moves; r++) {
        const value = change.values[r % change.values.length];
        const runs = Number(await page.evaluate(() => (globalThis as any).document.body.dataset.runsA));
        const started = Date.now();
        await page.evaluate(([sel, v]) => {
          const el = (globalThis as any).document.querySelector(sel);
          el.value = v;
          el.dispatchEvent(new Event("input"));
        }, [change.selector, value] as const);
        await page.waitForFunction((n) => Number((globalThis as any).document.body.dataset.runsA) > n, runs, { timeout: 900_000 });
        nodeSettings = change.apply(nodeSettings, value);
        if (r >= rounds) {
          await runCase(caseFromSettings(cases, nodeSettings, transportOf(nodeSettings.heterogeneity), terminals), cache);
          continue;
        }
        browser.push((Date.now() - started) / 1000);
        const res = await page.evaluate(() => {
          const x = (globalThis as any).sirtsimPlayground.state.sides.a.result;
          return { t: x.timingsMs, spheres: x.summary.spheresInjected, threads: x.depositThreads };
        });
        const t = res.t as Record<string, number>;
        if (process.env.SIRTSIM_BENCH_RAW) console.log(JSON.stringify(t), await page.textContent("#status-a"));
        browserStages.push({ case: t.caseMs, tree: t.treeMs, transport: t.transportMs, deposit: t.depositMs, dose: t.doseMs });
        spheres = res.spheres;
        threads = res.threads;

        const marks: Array<[string, number]> = [];
        const cpuNow = () => {
          const c = process.cpuUsage();
          return (c.user + c.system) / 1000;
        };
        const c0 = cpuNow();
        await runCase(caseFromSettings(cases, nodeSettings, transportOf(nodeSettings.heterogeneity), terminals), cache, { onStage: (stage) => marks.push([stage, cpuNow()]) });
        const c1 = cpuNow();
        nodeCpu.push((c1 - c0) / 1000);
        const perStage: Record<string, number> = {};
        marks.forEach(([stage, at], i) => (perStage[stage] = (i + 1 < marks.length ? marks[i + 1][1] : c1) - at));
        nodeStages.push(perStage);
      }
      rows.push(
        `| ${change.name} | ${f(median(browser))} (${f(Math.min(...browser))}–${f(Math.max(...browser))}) | ${STAGES.map((s) => stageCell(browserStages, s)).join(" / ")} | ${(spheres / 1e6).toFixed(1)} M on ${threads} | ${f(median(nodeCpu))} | ${STAGES.map((s) => stageCell(nodeStages, s)).join(" / ")} |`,
      );
      console.error(rows[rows.length - 1]);
    }
    console.log(`\n${rounds} rounds per control, side A of preset ${presetId}, ${terminals} terminals.\n`);
    console.log("| control of side A | browser: input → maps and DVHs redrawn, s (median, min–max) | browser stages, s (median): case / tree / transport / placement / dose | spheres placed (last timed round), threads | Node one thread CPU, s (median) | Node CPU per stage, s: case / tree / transport / placement / dose |");
    console.log("|---|---|---|---|---|---|");
    for (const row of rows) console.log(row);
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

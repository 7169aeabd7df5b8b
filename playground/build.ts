/**
 * Builds the playground: one self-contained HTML file (dist/playground/index.html) holding
 * Plotly's cartesian bundle, the page script, the engine script (run in Web Workers from a Blob
 * URL, so the page also works from file://) and the bundled cases. The page requests nothing.
 *
 *   npx tsx playground/build.ts [OUT_DIR]      (npm run build runs it)
 *
 * The engine is bundled from the same src/ modules the CLI runs (playground/src/engine.ts imports
 * only pure ones). Two things are adapted at bundle time, not in src/:
 * - the PFFFT WebAssembly (38 kB) is inlined as base64 and handed to emscripten's loader as
 *   `wasmBinary`, so no .wasm is fetched (a worker from a Blob URL has no base URL, and file://
 *   fetches are blocked); the loader's Node-only branch (`await import("module")`) is cut;
 * - src/io/quantity.ts loads mathjs lazily through node:module for unit strings ("3 GBq"); the
 *   playground writes plain numbers, so that import is replaced by one that refuses unit strings.
 * Any other node: import, or piscina, fails the build.
 */
import { build, type Plugin } from "esbuild";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { heterogeneityModels } from "./src/engine.js";
import { parseQuantity, type QuantityKind } from "../src/io/quantity.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** Cases the presets start from (fixtures/cases). */
export const PLAYGROUND_CASES = ["net-default", "glass-segmentectomy"] as const;

/** Kinds of the case fields that may hold unit strings in the bundled cases (src/io/caseFile.ts). */
const QUANTITY_FIELDS: Readonly<Record<string, QuantityKind>> = {
  hoursCalibrationToTreatment: "time",
  activityGBq: "activity",
  activityAtCalibrationGBq: "activity",
  lungMassKg: "mass",
  lungShuntFraction: "fraction",
  residualFraction: "fraction",
  priorLungDoseGy: "dose",
  densityGPerMl: "density",
};

/**
 * The case with its top-level unit strings ("96 h") turned into numbers in the field's unit: the
 * page has no mathjs (1 MB, ~1 s to load), and a case it hands back for the CLI stays valid.
 */
export function numericCase(json: Record<string, unknown>, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...json };
  for (const [key, value] of Object.entries(json)) {
    if (typeof value !== "string" || !(key in QUANTITY_FIELDS)) continue;
    const q = parseQuantity(value, QUANTITY_FIELDS[key]);
    if (!q.ok) throw new Error(`${name}: ${key}: ${q.reason}`);
    out[key] = q.value;
  }
  const text = JSON.stringify(out);
  const left = /"(\w+)":\s*"[-+]?\d[\d.]*(?:[eE][-+]?\d+)?\s*[a-zA-Zµ%/]+"/.exec(text);
  if (left) throw new Error(`${name}: ${left[1]} holds a unit string the playground cannot convert; add it to QUANTITY_FIELDS`);
  return out;
}

function browserPlugin(): Plugin {
  const gluePath = require.resolve("@echogarden/pffft-wasm/simd");
  const wasmPath = join(dirname(gluePath), "pffft.wasm");
  return {
    name: "sirtsim-browser",
    setup(b) {
      b.onResolve({ filter: /^@echogarden\/pffft-wasm\/simd$/ }, (args) =>
        args.namespace === "pffft-shim" ? { path: gluePath } : { path: "pffft", namespace: "pffft-shim" },
      );
      b.onLoad({ filter: /.*/, namespace: "pffft-shim" }, async () => {
        const b64 = (await readFile(wasmPath)).toString("base64");
        return {
          resolveDir: ROOT,
          contents: `import factory from "@echogarden/pffft-wasm/simd";
const WASM_BASE64 = ${JSON.stringify(b64)};
let bytes;
export default function PFFFT(options) {
  if (!bytes) { const bin = atob(WASM_BASE64); bytes = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i); }
  return factory({ ...(options || {}), wasmBinary: bytes, locateFile: (p) => p });
}`,
        };
      });
      b.onLoad({ filter: /pffft-wasm[\\/]dist[\\/]simd[\\/]pffft\.js$/ }, async (args) => {
        const text = await readFile(args.path, "utf8");
        const cut = text.replace('await import("module")', "{createRequire:null}");
        if (cut === text) throw new Error("pffft.js: the Node branch to cut was not found (new emscripten output?)");
        return { contents: cut, loader: "js" };
      });
      b.onResolve({ filter: /^node:module$/ }, (args) => {
        if (!/src[\\/]io[\\/]quantity\.ts$/.test(args.importer)) return { errors: [{ text: `node:module imported by ${args.importer}: the playground bundle must not import Node modules` }] };
        return { path: "no-units", namespace: "units-shim" };
      });
      b.onLoad({ filter: /.*/, namespace: "units-shim" }, () => ({
        contents: `export function createRequire() { return function () { throw new Error("unit strings such as \\"3 GBq\\" are not available in the playground: give plain numbers"); }; }`,
        loader: "js",
      }));
      b.onResolve({ filter: /^(node:|piscina$|fs$|path$|zlib$|worker_threads$)/ }, (args) => ({ errors: [{ text: `${args.path} imported by ${args.importer}: the playground bundle must not import Node modules` }] }));
    },
  };
}

async function bundle(entry: string, version: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    define: { __SIRTSIM_VERSION__: JSON.stringify(version) },
    plugins: [browserPlugin()],
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
}

/** No "</script" inside an inlined script element. */
const inline = (code: string) => code.replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--");

/** Build the page into `outDir`; returns the files written and the bundles' inputs. */
export async function buildPlayground(outDir = join(ROOT, "dist", "playground")): Promise<{ file: string; bytes: number; inputs: string[] }> {
  const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { version: string };
  const [engine, app] = await Promise.all([bundle("playground/src/worker.ts", pkg.version), bundle("playground/src/app.ts", pkg.version)]);
  const cases: Record<string, unknown> = {};
  for (const name of PLAYGROUND_CASES) cases[name] = numericCase(JSON.parse(await readFile(join(ROOT, "fixtures", "cases", `${name}.json`), "utf8")), `${name}.json`);
  const plotly = await readFile(require.resolve("plotly.js-cartesian-dist-min"), "utf8");
  const template = await readFile(join(ROOT, "playground", "index.html"), "utf8");
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");
  // Function replacers: the bundles contain "$&"-like sequences a string replacement would expand.
  const html = template
    .replace("/*PLOTLY*/", () => inline(plotly))
    .replace("/*CASES*/", () => json(cases))
    .replace("/*MODELS*/", () => json(heterogeneityModels()))
    .replace("/*ENGINE*/", () => inline(engine.code))
    .replace("/*APP*/", () => inline(app.code));
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, "index.html");
  await writeFile(`${file}.tmp`, html);
  await rename(`${file}.tmp`, file);
  const inputs = [...new Set([...engine.inputs, ...app.inputs])].sort();
  await writeFile(join(outDir, "bundle-inputs.json"), `${JSON.stringify(inputs, null, 2)}\n`);
  return { file, bytes: Buffer.byteLength(html), inputs };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
  buildPlayground(out).then(
    (r) => console.error(`playground: ${r.file} (${(r.bytes / 1e6).toFixed(2)} MB)`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

/**
 * `npm run bench [name…]`: run benchmarks one after the other (never two at once: they time the
 * same two cores), each in its own process, printing their tables. Without names, the four that
 * check the performance targets of bench/README.md, at their documented sizes.
 *
 *   npm run bench                      # tree, transport, dose, parallel-speedup
 *   npm run bench -- dose parallel     # only these (names of bench/*.ts without the extension)
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
/** The targets' runs, with the arguments bench/README.md's numbers were measured with. */
const DEFAULT: Array<[string, string[]]> = [
  ["tree", []],
  ["transport", []],
  ["dose", []],
  ["parallel-speedup", ["--terminals", "1000000", "--spheres", "44000000", "--size", "256", "--rounds", "7"]],
];
const names = process.argv.slice(2);
const plan: Array<[string, string[]]> = names.length === 0 ? DEFAULT : names.map((n) => [n, []]);
for (const [name] of plan) {
  if (!existsSync(join(here, `${name}.ts`))) {
    console.error(`bench: no benchmark "${name}" (expected bench/${name}.ts)`);
    process.exit(2);
  }
}
let failed = 0;
for (const [name, args] of plan) {
  console.log(`\n## bench/${name}.ts ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, `${name}.ts`), ...args], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`bench/${name}.ts exited with ${r.status ?? r.signal}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);

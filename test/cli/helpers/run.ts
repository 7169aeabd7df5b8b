/** Run the built CLI (dist/, built by `npm test`'s pretest) as a user would: exit code, stdout, stderr. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../../", import.meta.url));
export const main = join(root, "dist/src/cli/main.js");

/** `sirtsim …args`, with `nodeArgs` before the script (e.g. `--import` of a preload module). */
export function sirtsim(args: readonly string[], nodeArgs: readonly string[] = []): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, main, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, SIRTSIM_DEBUG: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

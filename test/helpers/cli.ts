/**
 * The built `sirtsim` CLI run as a real process (tests of exit codes, stdout and stderr).
 * SIRTSIM_DEBUG is cleared so error output is the user's one line, not a stack.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI_MAIN = join(ROOT, "dist/src/cli/main.js");

/** Run `sirtsim ...args` from the repository root (or `cwd`); exit code, stdout, stderr. */
export function runSirtsim(args: readonly string[], cwd: string = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, SIRTSIM_DEBUG: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

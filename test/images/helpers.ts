/** Shared set-up of the image-loop tests: the CLI from dist/, the synthetic patient, python checks. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const patient = join(root, "fixtures/patient");
const main = join(root, "dist/src/cli/main.js");

/** The ground truth written by fixtures/patient/make_patient.py (numpy). */
export const truth = JSON.parse(readFileSync(join(patient, "truth.json"), "utf8"));

/** Build dist/ once if a test file runs before `npm run build`. */
export function ensureBuilt(file: string): void {
  if (existsSync(join(root, "dist/src/cli/commands", file))) return;
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
  } catch {
    // Type errors elsewhere still emit JavaScript.
  }
}

export function sirtsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, SIRTSIM_DEBUG: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Debian's python3 with the modules the independent checks need (CI installs them: .ci/run). */
export function hasPython(modules: string): boolean {
  const ok = spawnSync("/usr/bin/python3", ["-c", `import ${modules}`]).status === 0;
  if (!ok) console.log(`note: /usr/bin/python3 with ${modules} not found; skipping the independent check`);
  return ok;
}

export function python(script: string, ...args: string[]): unknown {
  const r = spawnSync("/usr/bin/python3", [join(root, script), ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

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

/**
 * dciodvfy's (dicom3tools) errors on an RT Dose file, or null when dciodvfy is absent (skip with a
 * message, except where SIRTSIM_REQUIRE_DICOM3TOOLS=1: CI, .ci/run). Bookworm's dciodvfy aborts on
 * 32-bit Pixel Data, so it reads a 16-bit copy made by rtdose_16bit_copy.py (every other attribute
 * as written).
 */
export function dciodvfyErrors(file: string, workDir: string): string[] | null {
  if (spawnSync("dciodvfy", [], { encoding: "utf8" }).error) {
    if (process.env.SIRTSIM_REQUIRE_DICOM3TOOLS === "1") throw new Error("dciodvfy (Debian package dicom3tools) is required here (SIRTSIM_REQUIRE_DICOM3TOOLS=1) but not installed");
    console.log("note: dciodvfy (Debian package dicom3tools) not found; skipping the RT Dose conformance check");
    return null;
  }
  const copy = join(workDir, `${file.replace(/[^A-Za-z0-9]/g, "_").slice(-60)}-16bit.dcm`);
  python("test/images/rtdose_16bit_copy.py", file, copy);
  const r = spawnSync("dciodvfy", [copy], { encoding: "utf8" });
  const lines = `${r.stdout}\n${r.stderr}`.split("\n");
  if (r.status === null || lines.some((l) => /Assertion|Abort/i.test(l))) throw new Error(`dciodvfy failed on ${copy}: ${r.stderr}`);
  return lines.filter((l) => l.startsWith("Error"));
}

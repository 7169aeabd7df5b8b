/**
 * Issue 19, whole output sets, through the real CLI (dist/, built by `npm test`'s pretest): `--out`
 * is checked before any work (empty, a file, the current folder, a folder of the user's), a lock
 * in the parent refuses a second run into the same folder (a dead run's lock is taken over), and
 * the set is swapped in whole: files of an earlier kind do not survive, and a run killed between
 * the two renames of the swap leaves the complete old set, put back by the next run.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallCase } from "../pipeline/smallCase.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "dist/src/cli/main.js");
let dir: string;

function sirtsim(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, SIRTSIM_DEBUG: "", ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** File name → contents of a folder (hidden siblings are checked separately). */
function snapshot(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, folder)).sort()) out[name] = readFileSync(join(dir, folder, name)).toString("base64");
  return out;
}
const leftovers = () => readdirSync(dir).filter((n) => /\.(staging|replaced|lock)$/.test(n));

/** A quick tree: 40 terminals. */
const tree = (out: string, seed: string, env: Record<string, string> = {}) => sirtsim(["tree", "case.json", "--out", out, "--terminals", "40", "--seed", seed, "--json"], env);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sirtsim-outsets-"));
  writeFileSync(join(dir, "case.json"), JSON.stringify(smallCase({ tree: { terminals: 40, seed: 5 }, target: { compartment: "normal", doseGy: 4 }, dose: { voxelMm: 6 } })));
  writeFileSync(join(dir, "notes.txt"), "the user's file\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--out is checked before any work", () => {
  const commands: Array<[string, string[]]> = [
    ["simulate", ["simulate", "case.json"]],
    ["merge", ["merge", "nowhere"]],
    ["tree", ["tree", "case.json"]],
    ["transport", ["transport", "case.json"]],
    ["dose", ["dose", "nowhere.nii.gz", "--administered-gbq", "1"]],
  ];
  for (const [name, args] of commands) {
    it(`sirtsim ${name} --out "" and --out FILE exit 2 naming --out, and the file is untouched`, () => {
      const empty = sirtsim([...args, "--out", ""]);
      expect(empty.code, empty.stderr).toBe(2);
      expect(empty.stderr).toMatch(/^error: --out must name an output folder, got ""$/m);
      const file = sirtsim([...args, "--out", "notes.txt"]);
      expect(file.code, file.stderr).toBe(2);
      expect(file.stderr).toMatch(/^error: --out notes\.txt is an existing file, not a folder$/m);
      expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("the user's file\n");
      expect(readdirSync(dir).sort()).toEqual(["case.json", "notes.txt"]);
    });
  }

  it("a folder holding files sirtsim did not write, and the current folder, are refused", () => {
    mkdirSync(join(dir, "mine"));
    writeFileSync(join(dir, "mine", "thesis.docx"), "x");
    const r = tree("mine", "1");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--out mine holds files sirtsim did not write \(thesis\.docx\)/);
    expect(readdirSync(join(dir, "mine"))).toEqual(["thesis.docx"]);
    const here = tree(".", "1");
    expect(here.code, here.stderr).toBe(2);
    expect(here.stderr).toMatch(/--out \.: the output folder would be replaced as a whole and it holds the current folder/);
    rmSync(join(dir, "mine"), { recursive: true });
  });
});

  it("an --out folder holding the command's input (a case.json beside its outputs, a shard merged into itself) is refused, the input untouched", () => {
    mkdirSync(join(dir, "patient"));
    const caseText = readFileSync(join(dir, "case.json"), "utf8");
    writeFileSync(join(dir, "patient", "case.json"), caseText);
    // case.json is a name sirtsim writes, so without the input check the swap would replace the user's case.
    const r = sirtsim(["tree", "patient/case.json", "--out", "patient", "--terminals", "40", "--seed", "3"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: --out patient holds the input patient\/case\.json; the output folder is replaced as a whole/m);
    expect(readdirSync(join(dir, "patient"))).toEqual(["case.json"]);
    expect(readFileSync(join(dir, "patient", "case.json"), "utf8")).toBe(caseText);
    const m = sirtsim(["merge", "patient", "--out", "patient"]);
    expect(m.code, m.stderr).toBe(2);
    expect(m.stderr).toMatch(/^error: --out patient holds the input patient;/m);
    expect(leftovers()).toEqual([]);
    rmSync(join(dir, "patient"), { recursive: true });
  });

describe("output sets are replaced whole", () => {
  it("files of an earlier kind do not survive: transport into a tree's folder leaves only the transport's files", () => {
    expect(tree("set", "1").code).toBe(0);
    expect(readdirSync(join(dir, "set")).sort()).toEqual(["tree.bin", "tree.json", "tree.vtp"]);
    const r = sirtsim(["transport", "case.json", "--out", "set", "--terminals", "40", "--workers", "1", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, "set")).sort()).toEqual(["terminals.csv", "transport.json"]);
    expect(leftovers()).toEqual([]);
  });

  it("a run killed between the two renames of the swap leaves the complete old set, which the next run puts back", () => {
    expect(tree("swap", "1").code).toBe(0);
    const old = snapshot("swap");
    const killed = tree("swap", "2", { SIRTSIM_TEST_HOOK: "between-renames" });
    expect(killed.signal).toBe("SIGKILL");
    // On disk now: no swap/, the old set as .swap.replaced, the new set as .swap.staging, a stale lock.
    expect(existsSync(join(dir, "swap"))).toBe(false);
    expect(snapshot(".swap.replaced")).toEqual(old);
    // The next run into swap/ — here one refused for bad input — repairs it first.
    const next = sirtsim(["tree", "missing.json", "--out", "swap"]);
    expect(next.code).toBe(2);
    expect(snapshot("swap")).toEqual(old);
    expect(leftovers()).toEqual([]);
    // And a run that completes replaces it by the new set.
    expect(tree("swap", "2").code).toBe(0);
    expect(snapshot("swap")).not.toEqual(old);
    expect(leftovers()).toEqual([]);
  });

  it("SIGINT while a run into an existing set is working leaves the old set and no staging folder", async () => {
    expect(tree("interrupt", "1").code).toBe(0);
    const old = snapshot("interrupt");
    const child = spawn(process.execPath, [main, "simulate", "case.json", "--out", "interrupt", "--workers", "1"], { cwd: dir, env: { ...process.env, SIRTSIM_DEBUG: "" } });
    let stderr = "";
    let sent = false;
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && /transport: \d+ spheres/.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await exit;
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(130);
    expect(snapshot("interrupt")).toEqual(old);
    expect(leftovers()).toEqual([]);
  });
});

describe("a lock refuses a second run into the same --out", () => {
  it("while another live process holds it: exit 2 naming the lock; the set and the lock are untouched", () => {
    expect(tree("locked", "1").code).toBe(0);
    const old = snapshot("locked");
    const lock = join(dir, ".locked.lock");
    // This test's own process is alive: its pid stands for a concurrent run.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname() }));
    const r = tree("locked", "2");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--out locked: another sirtsim run is writing into this folder \\(lock ${lock.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, pid ${process.pid}`));
    expect(snapshot("locked")).toEqual(old);
    expect(existsSync(lock)).toBe(true);
    rmSync(lock);
  });

  it("a stale lock (its process gone) is taken over", () => {
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(join(dir, ".stale.lock"), JSON.stringify({ pid: Number(gone.stdout), host: hostname() }));
    const r = tree("stale", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, "stale")).sort()).toEqual(["tree.bin", "tree.json", "tree.vtp"]);
    expect(leftovers()).toEqual([]);
  });

  it("two real runs into one --out: the second is refused while the first runs, the first completes", async () => {
    // The first run holds (test hook) with its lock taken and its set staged until released, so
    // the second run certainly meets the lock however loaded the machine is.
    const release = join(dir, "release-busy");
    const first = spawn(process.execPath, [main, "simulate", "case.json", "--out", "busy", "--workers", "1", "--json"], {
      cwd: dir,
      env: { ...process.env, SIRTSIM_DEBUG: "", SIRTSIM_TEST_HOOK: "hold-before-swap", SIRTSIM_TEST_RELEASE: release },
    });
    const exit = new Promise<number | null>((resolve) => first.on("exit", (code) => resolve(code)));
    let stderr = "";
    first.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    while (!existsSync(`${release}.held`)) await new Promise((resolve) => setTimeout(resolve, 50));
    const second = tree("busy", "2");
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(/--out busy: another sirtsim run is writing into this folder \(lock .*\.busy\.lock, pid \d+/);
    writeFileSync(release, "");
    expect(await exit, stderr).toBe(0);
    expect(readdirSync(join(dir, "busy"))).toContain("summary.json");
    expect(readdirSync(join(dir, "busy"))).not.toContain("tree.json");
    rmSync(release);
    rmSync(`${release}.held`);
    expect(leftovers()).toEqual([]);
  });
});

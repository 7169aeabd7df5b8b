/**
 * Outputs that are never half-written (DESIGN.md contract).
 *
 * - One file: written to a temporary name in its folder and renamed into place.
 * - An output folder (`--out DIR`) is replaced as a whole set: the files are written into a sibling
 *   staging folder `.DIR.staging`, then swapped in (`DIR` → `.DIR.replaced`, staging → `DIR`, the
 *   replaced set removed), so files of an earlier run or of another kind (a shard's counts.bin in a
 *   folder now receiving a full simulation) never survive beside the new ones.
 * - A lock file `.DIR.lock` in the parent folder, created with O_EXCL when the command starts,
 *   refuses a second run into the same `DIR` while the first is alive. A lock whose process is gone
 *   (same host, pid not alive) is stale: the next run takes it over and first puts back what the
 *   dead run left mid-swap (the complete old set, or the complete new one).
 * - The two renames of the swap are synchronous, so a signal handler (SIGINT/SIGTERM, which runs
 *   on the event loop) sees the folder before or after the swap, never between; only SIGKILL or a
 *   power cut can stop the process there, and the next run into `DIR` repairs it as above.
 */
import { closeSync, existsSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync, writeSync } from "node:fs";
import { mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from "node:path";
import { InputError } from "../errors.js";

/**
 * This process's temporary files being written (writeFileAtomic, OutputFile.write): a signal
 * handler removes them (releaseOutputDirs), so an interrupted study leaves no 0-byte
 * `runs/.*.tmp` beside its records. releaseOutputDirs also runs when a command ends (run.ts
 * action), when every write has been awaited and the set is empty. Only this process's own names (they carry its pid), never a
 * concurrent task's.
 */
const temporaries = new Set<string>();

/** A temporary name for `path` in its folder, registered until `done` is called. */
function temporaryFor(path: string): { tmp: string; done: () => void } {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  temporaries.add(tmp);
  return { tmp, done: () => void temporaries.delete(tmp) };
}

/** Write `data` to `path` atomically (temporary file in the same directory + rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(resolve(path));
  await mkdir(dir, { recursive: true });
  const { tmp, done } = temporaryFor(join(dir, basename(path)));
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    done();
  }
}

/**
 * File names sirtsim commands write. A folder holding only these is an earlier sirtsim output and
 * may be replaced; any other file means the folder is the user's, and `--out` naming it is refused
 * before any work (replacing it would delete their files). A command that writes a new file name
 * adds it here.
 */
export const KNOWN_OUTPUT_NAMES: ReadonlySet<string> = new Set([
  "summary.json", "dose.nii.gz", "dose-ldm.nii.gz", "labels.nii.gz", "perfused.nii.gz", "dvh.csv", "dvh.json", "tree.vtp", "tree.bin", "tree.json",
  "transport.json", "lodged.bin", "report.html", "case.json", "shard.json", "counts.bin", "terminals.csv", "metrics.json", "metrics.csv",
  // sirtsim dose (images), compare
  "rtdose.dcm", "compare.json", "compare.html", "gamma.nii.gz",
  // label name tables beside labels.nii.gz (3D Slicer, ITK-SNAP)
  "labels.ctbl", "labels-itksnap.txt",
]);

/** A test hook (SIRTSIM_TEST_HOOK) that stops the process at a named point of the swap. */
function testHook(point: string): void {
  if (process.env.SIRTSIM_TEST_HOOK === point) process.kill(process.pid, "SIGKILL");
}

/**
 * A test hook (SIRTSIM_TEST_HOOK=hold-before-swap, SIRTSIM_TEST_RELEASE=FILE): the run writes
 * FILE.held and waits, lock held and set staged, until FILE exists — so a test can start a second
 * run into the same folder while the first certainly holds the lock (no timing race).
 */
async function testHold(point: string): Promise<void> {
  const release = process.env.SIRTSIM_TEST_RELEASE;
  if (process.env.SIRTSIM_TEST_HOOK !== point || !release) return;
  writeFileSync(`${release}.held`, "");
  while (!existsSync(release)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The sibling paths of an output folder: staging set, replaced set, lock file. */
function siblings(target: string): { staging: string; replaced: string; lock: string } {
  const parent = dirname(target);
  const name = basename(target);
  return { staging: join(parent, `.${name}.staging`), replaced: join(parent, `.${name}.replaced`), lock: join(parent, `.${name}.lock`) };
}

/**
 * Put an output folder back in order after a run that died mid-swap (its lock is stale): if the
 * folder is missing but the replaced set exists, the dead run stopped between the two renames and
 * the replaced set is the complete old one; staging and replaced leftovers are removed.
 */
function repairSync(target: string): void {
  const { staging, replaced } = siblings(target);
  if (!existsSync(target) && existsSync(replaced)) {
    try {
      renameSync(replaced, target);
    } catch {
      // target appeared meanwhile (the new set was moved in): keep it.
    }
  }
  rmSync(staging, { recursive: true, force: true });
  rmSync(replaced, { recursive: true, force: true });
}

interface LockOwner {
  pid: number;
  host: string;
}

function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine's process: cannot tell, assume alive
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(lock: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(lock, "utf8")) as Partial<LockOwner>;
    return typeof o.pid === "number" && typeof o.host === "string" ? { pid: o.pid, host: o.host } : undefined;
  } catch {
    return undefined;
  }
}

/** Create the lock with O_EXCL; take over a stale one (its process gone) after repairing the folder. */
function acquireLockSync(target: string, out: string, outOption: string): void {
  const { lock } = siblings(target);
  const me = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      try {
        writeSync(fd, `${me}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = readOwner(lock);
    // A lock being written this instant has no owner yet; an unreadable one is treated as alive.
    // This process's own lock is stale unless one of its open outputs holds it (a library call
    // that threw before its commit leaves it behind).
    const mine = owner !== undefined && owner.pid === process.pid && owner.host === hostname();
    const heldHere = [...openOutputs].some((o) => o.path === target);
    if (owner === undefined || (mine ? heldHere : ownerAlive(owner))) {
      throw new InputError(
        outOption,
        `${outOption} ${out}: another sirtsim run is writing into this folder (lock ${lock}${owner ? `, pid ${owner.pid} on ${owner.host}` : ""}); wait for it, or remove the lock if that run is gone`,
      );
    }
    // Stale: move it aside atomically (only one taker wins the rename), repair, retry.
    const aside = `${lock}.stale-${process.pid}`;
    try {
      renameSync(lock, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (moved === undefined || moved.pid !== owner.pid || moved.host !== owner.host) {
      // Another run took the stale lock over between our read and our rename: give it back.
      try {
        renameSync(aside, lock);
      } catch {
        rmSync(aside, { force: true });
      }
      continue;
    }
    rmSync(aside, { force: true });
    repairSync(target);
  }
  throw new InputError(outOption, `${outOption} ${out}: could not take the lock ${lock}`);
}

/** An output folder opened by a command: validated and locked; `commit` writes the whole set. */
export interface OutputDir {
  /** The folder the set goes to (absolute). */
  readonly path: string;
  /** Run `produce(stagingDir)` and, if it succeeds, swap the staged set into place and release the lock. */
  commit<T>(produce: (stagingDir: string) => Promise<T>): Promise<T>;
  /** Remove the lock (and the staging folder and any parent folders this run created, if it wrote nothing); true if the set was swapped in. */
  release(): boolean;
}

/** Output folders held by this process, released by the CLI after the command or on a signal. */
const openOutputs = new Set<OutputDir>();
/** Output folders whose new set this process has swapped in. */
const written: string[] = [];

/**
 * Validate `--out`, create its parent folder and take the lock, before any work. Refused (exit 2):
 * an empty path, an existing file, the current folder or one of its ancestors, a folder holding
 * files sirtsim did not write, a folder another live run is writing into.
 */
export function openOutputDir(out: string | undefined, outOption = "--out", inputs: readonly (string | undefined)[] = []): OutputDir {
  if (typeof out !== "string" || out.trim() === "") {
    throw new InputError(outOption, `${outOption} must name an output folder, got ${JSON.stringify(out ?? "")}`);
  }
  let target = resolve(out);
  try {
    if (lstatSync(target).isSymbolicLink()) target = realpathSync(target);
  } catch {
    // does not exist yet
  }
  const rel = relative(target, process.cwd());
  if (rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel))) {
    throw new InputError(outOption, `${outOption} ${out}: the output folder would be replaced as a whole and it holds the current folder; name a new folder`);
  }
  checkNoInputInside(target, out, outOption, inputs);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new InputError(outOption, `${outOption} ${out}: cannot use it (${(err as NodeJS.ErrnoException).code})`);
  }
  if (stat !== undefined && !stat.isDirectory()) throw new InputError(outOption, `${outOption} ${out} is an existing file, not a folder`);
  if (stat !== undefined) checkReplaceable(target, out, outOption);

  // Parent folders this run creates are removed again if it writes nothing.
  const parent = dirname(target);
  let firstCreated: string | undefined;
  for (let p = parent; !existsSync(p); p = dirname(p)) firstCreated = p;
  try {
    mkdirSync(parent, { recursive: true });
  } catch (err) {
    throw new InputError(outOption, `${outOption} ${out}: cannot create the parent folder (${(err as NodeJS.ErrnoException).code})`);
  }
  try {
    acquireLockSync(target, out, outOption);
  } catch (err) {
    removeCreatedParents(parent, firstCreated);
    throw err;
  }
  const { staging, replaced, lock } = siblings(target);
  let committed = false;
  let released = false;
  const output: OutputDir = {
    path: target,
    async commit<T>(produce: (stagingDir: string) => Promise<T>): Promise<T> {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging);
      let result: T;
      try {
        result = await produce(staging);
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        throw err;
      }
      await testHold("hold-before-swap");
      swapSync(target, staging, replaced);
      committed = true;
      written.push(target);
      await rm(replaced, { recursive: true, force: true });
      output.release();
      return result;
    },
    release(): boolean {
      if (released) return committed;
      released = true;
      openOutputs.delete(output);
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target) && existsSync(replaced)) repairSync(target);
      rmSync(replaced, { recursive: true, force: true });
      rmSync(lock, { force: true });
      if (!committed) removeCreatedParents(parent, firstCreated);
      return committed;
    },
  };
  openOutputs.add(output);
  return output;
}

/** The two renames of the swap, synchronous (see the file comment). */
function swapSync(target: string, staging: string, replaced: string): void {
  rmSync(replaced, { recursive: true, force: true });
  if (existsSync(target)) {
    renameSync(target, replaced);
    testHook("between-renames");
  }
  renameSync(staging, target);
}

/**
 * An input file or folder inside the output folder (a case.json or labels.nii.gz beside its
 * outputs, a shard folder merged into itself) would be deleted by the swap, and a user's case
 * file rewritten (reformatted, --seed applied): refused before any work.
 */
function checkNoInputInside(target: string, out: string, outOption: string, inputs: readonly (string | undefined)[]): void {
  for (const input of inputs) {
    if (input === undefined || input === "") continue;
    let path = resolve(input);
    try {
      path = realpathSync(path);
    } catch {
      // missing input: its own reader names it
    }
    const rel = relative(target, path);
    if (rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel))) {
      throw new InputError(outOption, `${outOption} ${out} holds the input ${input}; the output folder is replaced as a whole, so name another folder`);
    }
  }
}

/** A folder may be replaced if it holds only sirtsim's file names (or nothing). */
function checkReplaceable(target: string, out: string, outOption: string): void {
  const names = readdirSync(target);
  const foreign = names.filter((n) => !KNOWN_OUTPUT_NAMES.has(n));
  if (foreign.length > 0) {
    throw new InputError(
      outOption,
      `${outOption} ${out} holds files sirtsim did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); the output folder is replaced as a whole, so name a new or empty folder`,
    );
  }
}

function removeCreatedParents(parent: string, firstCreated: string | undefined): void {
  if (firstCreated === undefined) return;
  for (let p = parent; ; p = dirname(p)) {
    try {
      rmdirSync(p);
    } catch {
      return;
    }
    if (p === firstCreated) return;
  }
}

/**
 * A command's run into `--out`: open it (checks, lock) before any work, run, release however the
 * run ends. `run` commits the set when its outputs are ready. `inputs`: the command's input paths,
 * none of which may lie inside the output folder.
 */
export async function runIntoOutputDir<T>(out: string | undefined, run: (output: OutputDir) => Promise<T>, inputs: readonly (string | undefined)[] = []): Promise<T> {
  const output = openOutputDir(out, "--out", inputs);
  try {
    return await run(output);
  } finally {
    output.release();
  }
}

/**
 * Open, run `produce` into the staging folder, swap, release: the whole output protocol for a
 * library caller. The CLI opens the folder at the start of a command instead (openOutputDir), so a
 * bad `--out` or a concurrent run is refused before any work.
 */
export async function withOutputDir<T>(outDir: string, produce: (stagingDir: string) => Promise<T>): Promise<T> {
  const output = openOutputDir(outDir);
  try {
    return await output.commit(produce);
  } finally {
    output.release();
  }
}

/**
 * Release every output folder this process holds (after a command, and synchronously on a
 * signal); returns the folders whose new set was already in place.
 */
export function releaseOutputDirs(): string[] {
  for (const output of [...openOutputs]) output.release();
  for (const tmp of temporaries) rmSync(tmp, { force: true });
  temporaries.clear();
  return [...written];
}

/** A single output file (`export-rtdose --out FILE`), checked before any work (openOutputFile). */
export interface OutputFile {
  readonly path: string;
  /** Write `data` to the file: temporary name, then a hard link that fails if the name exists meanwhile. */
  write(data: string | Uint8Array): Promise<void>;
}

/**
 * The rule of a single output file, as `--out` of the folder commands: refused (exit 2) before any
 * work when it is empty, names a folder, names one of the command's inputs, or names an existing
 * file (sirtsim never overwrites a file it was not asked to replace as a set; remove it or name a
 * new file). The file appears whole (temporary file + link), never over one created meanwhile.
 */
export function openOutputFile(out: string | undefined, outOption = "--out", inputs: readonly (string | undefined)[] = []): OutputFile {
  if (typeof out !== "string" || out.trim() === "") throw new InputError(outOption, `${outOption} must name an output file, got ${JSON.stringify(out ?? "")}`);
  if (/[/\\]$/.test(out)) throw new InputError(outOption, `${outOption} ${out} names a folder; name the file to write`);
  const target = resolve(out);
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  for (const input of inputs) {
    if (input !== undefined && input !== "" && real(input) === real(target)) {
      throw new InputError(outOption, `${outOption} ${out} is the input ${input}; name a new file`);
    }
  }
  let stat: ReturnType<typeof lstatSync> | undefined;
  try {
    stat = lstatSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new InputError(outOption, `${outOption} ${out}: cannot use it (${(err as NodeJS.ErrnoException).code})`);
  }
  if (stat !== undefined && (stat.isDirectory() || (stat.isSymbolicLink() && statSync(target, { throwIfNoEntry: false })?.isDirectory()))) {
    throw new InputError(outOption, `${outOption} ${out} is a folder; name the file to write`);
  }
  if (stat !== undefined) throw new InputError(outOption, `${outOption} ${out} exists; sirtsim does not overwrite a file: remove it or name a new file`);
  return {
    path: target,
    async write(data) {
      await mkdir(dirname(target), { recursive: true });
      const { tmp, done } = temporaryFor(target);
      try {
        await writeFile(tmp, data);
        try {
          linkSync(tmp, target);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === "EEXIST") throw new InputError(outOption, `${outOption} ${out} was created by another process during the run; it is left as it is`);
          // File systems without hard links: the check above, then a rename.
          if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw err;
          if (existsSync(target)) throw new InputError(outOption, `${outOption} ${out} was created by another process during the run; it is left as it is`);
          renameSync(tmp, target);
        }
      } finally {
        await unlink(tmp).catch(() => undefined);
        done();
      }
    },
  };
}

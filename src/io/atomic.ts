/**
 * Outputs that are never half-written: files go to a temporary name and are renamed into place;
 * a set of outputs is staged in a hidden sibling directory and moved into the target only when
 * every file of the set was written (DESIGN.md contract).
 */
import { mkdir, rename, rm, writeFile, readdir, mkdtemp } from "node:fs/promises";
import { dirname, basename, join, resolve } from "node:path";

/** Write `data` to `path` atomically (temporary file in the same directory + rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(resolve(path));
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Run `produce(stagingDir)` and, if it succeeds, move every file it wrote into `outDir`.
 * On any error (or a signal that rejects the promise) the staging directory is removed and
 * `outDir` is left as it was.
 */
export async function withOutputDir<T>(outDir: string, produce: (stagingDir: string) => Promise<T>): Promise<T> {
  const target = resolve(outDir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(target)}.staging-`));
  activeStagingDirs.add(staging);
  try {
    const result = await produce(staging);
    await mkdir(target, { recursive: true });
    for (const name of await readdir(staging)) {
      await rename(join(staging, name), join(target, name));
    }
    return result;
  } finally {
    activeStagingDirs.delete(staging);
    await rm(staging, { recursive: true, force: true });
  }
}

/** Staging directories in use, so a signal handler can remove them synchronously before exit. */
export const activeStagingDirs = new Set<string>();

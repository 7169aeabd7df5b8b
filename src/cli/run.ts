/**
 * Exit-code policy for every command: 0 success, 2 invalid input (InputError, or a CLI usage
 * error), 1 internal failure. Errors print one line on stderr, never a stack trace for input
 * errors; set SIRTSIM_DEBUG=1 to see stacks of internal failures.
 */
import { InputError } from "../errors.js";
import { releaseOutputDirs } from "../io/atomic.js";

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_INPUT = 2;

/** Wrap a command action so that errors become the right exit code and message. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = reportError(err);
    } finally {
      // The command's output folder lock (and staging folder, if it failed before the swap).
      releaseOutputDirs();
    }
  };
}

export function reportError(err: unknown): number {
  if (err instanceof InputError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT_INPUT;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.SIRTSIM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT_INTERNAL;
}

/**
 * On SIGINT/SIGTERM: remove staged (half-written) outputs and the lock, then exit 130/143. The
 * output swap is synchronous, so the handler runs before it (old set kept) or after it.
 */
let interruptNote: (() => string) | undefined;

/**
 * What an interrupted command keeps besides whole output sets (a study keeps each finished run's
 * record and resumes from them): said instead of "no output written", which would be false.
 */
export function setInterruptNote(note: (() => string) | undefined): void {
  interruptNote = note;
}

export function installSignalCleanup(): void {
  const handler = (signal: NodeJS.Signals) => {
    const written = releaseOutputDirs();
    const kept = written.length > 0 ? `outputs already complete in ${written.join(", ")}` : (interruptNote?.() ?? "no output written");
    process.stderr.write(`\ninterrupted (${signal}): ${kept}\n`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
}

/**
 * `--strict`: the run finished (its outputs are written, so the physicist can read the report)
 * but a contraindication or an exceeded limit remains.
 */
export const EXIT_UNSAFE = 3;

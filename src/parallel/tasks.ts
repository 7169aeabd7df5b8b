/**
 * The registry of work-unit kinds a worker can run. A task is plain data: `{ kind, unitId, input }`;
 * its handler is a pure function of the input (random streams keyed by the unit, never by the
 * thread), so it gives the same output inline or in any worker.
 *
 * Handlers are registered by the stages that own them (see `registerTaskHandlers` callers in
 * workers/task.ts); this module knows nothing about transport or dose itself.
 */
import { WorkUnitError } from "../errors.js";

export interface Task<I = unknown> {
  /** Handler name, e.g. "transport.unit" or "dose.fftLines". */
  readonly kind: string;
  /** Stable identifier of the unit of work (used in error messages and for fault injection). */
  readonly unitId: string;
  readonly input: I;
}

export type TaskHandler<I = any, O = any> = (input: I) => O | Promise<O>;

const handlers = new Map<string, TaskHandler>();

/** Register handlers by kind (idempotent for the same function). */
export function registerTaskHandlers(table: Readonly<Record<string, TaskHandler>>): void {
  for (const [kind, fn] of Object.entries(table)) handlers.set(kind, fn);
}

/**
 * Fault injection for the tests of issue 6: when SIRTSIM_FAIL_UNIT names a unit id, that unit
 * throws; `*` matches any run of characters (`dose/convolve/*`: the first convolve unit to run).
 * Read per call so a test can set it for one child process only. Handlers that run several units
 * in one task call it for each unit.
 */
export function plantedFailure(unitId: string): void {
  const target = process.env.SIRTSIM_FAIL_UNIT;
  if (target === undefined || target === "") return;
  const matches = target.includes("*")
    ? new RegExp(`^${target.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(unitId)
    : target === unitId;
  if (matches) throw new Error(`planted failure (SIRTSIM_FAIL_UNIT=${target})`);
}

/** Run one task in this thread. Errors are wrapped in a WorkUnitError naming the unit. */
export async function runTask<O>(task: Task): Promise<O> {
  const handler = handlers.get(task.kind);
  if (handler === undefined) throw new WorkUnitError(task.unitId, new Error(`no handler for task kind "${task.kind}"`));
  try {
    plantedFailure(task.unitId);
    return (await handler(task.input)) as O;
  } catch (err) {
    throw err instanceof WorkUnitError ? err : new WorkUnitError(task.unitId, err);
  }
}

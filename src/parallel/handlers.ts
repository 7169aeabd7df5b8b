/**
 * Registers the work-unit handlers of every stage. Imported by the worker entry point and by the
 * pipeline, so inline runs and worker runs dispatch through the same table.
 */
import { registerTaskHandlers } from "./tasks.js";

registerTaskHandlers({
  /** A trivial unit used by the pool's own tests and the overhead benchmark. */
  "parallel.echo": (input: { value: number; spinIterations?: number }) => {
    let x = input.value;
    for (let i = 0; i < (input.spinIterations ?? 0); i++) x = (x * 1103515245 + 12345) % 2147483648;
    return { value: input.value, spin: x };
  },
});

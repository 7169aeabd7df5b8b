/**
 * Worker entry point (thin): unpack a task, run its handler from src/, return typed arrays.
 * piscina calls the default export with the task object.
 */
import { runTask, Task } from "../src/parallel/tasks.js";
import "../src/parallel/handlers.js";

export default function run(task: Task): Promise<unknown> {
  return runTask(task);
}

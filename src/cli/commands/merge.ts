import type { Command } from "commander";

/** `sirtsim merge` — not implemented yet. */
export function registerMerge(program: Command): void {
  program.command("merge").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim merge is not implemented yet");
  });
}

import type { Command } from "commander";

/** `sirtsim tree` — not implemented yet. */
export function registerTree(program: Command): void {
  program.command("tree").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim tree is not implemented yet");
  });
}

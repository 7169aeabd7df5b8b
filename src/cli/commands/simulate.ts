import type { Command } from "commander";

/** `sirtsim simulate` — not implemented yet. */
export function registerSimulate(program: Command): void {
  program.command("simulate").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim simulate is not implemented yet");
  });
}

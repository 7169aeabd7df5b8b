import type { Command } from "commander";

/** `sirtsim kernel` — not implemented yet. */
export function registerKernel(program: Command): void {
  program.command("kernel").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim kernel is not implemented yet");
  });
}

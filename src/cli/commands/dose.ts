import type { Command } from "commander";

/** `sirtsim dose` — not implemented yet. */
export function registerDose(program: Command): void {
  program.command("dose").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim dose is not implemented yet");
  });
}

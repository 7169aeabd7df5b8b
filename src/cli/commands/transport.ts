import type { Command } from "commander";

/** `sirtsim transport` — not implemented yet. */
export function registerTransport(program: Command): void {
  program.command("transport").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim transport is not implemented yet");
  });
}

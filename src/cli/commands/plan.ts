import type { Command } from "commander";

/** `sirtsim plan` — not implemented yet. */
export function registerPlan(program: Command): void {
  program.command("plan").description("(not implemented yet)").action(() => {
    throw new Error("sirtsim plan is not implemented yet");
  });
}

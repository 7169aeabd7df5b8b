#!/usr/bin/env node
/**
 * The `sirtsim` command. Each subcommand lives in its own file under `commands/` and registers
 * itself on the program; this file only wires them and maps errors to exit codes.
 */
import { Command, CommanderError } from "commander";
import { EXIT_INPUT, installSignalCleanup, reportError } from "./run.js";
import { COMMANDS } from "./commands/index.js";
import { sirtsimVersion } from "../io/results.js";


export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command();
  program
    .name("sirtsim")
    .description("SIRT engine: planning, arterial tree, microsphere transport and absorbed dose")
    .version(sirtsimVersion())
    .exitOverride()
    // A command's options are its own: a parent's option of the same name does not take a
    // subcommand's (study run-slice --workers, study collect --json; study.ts).
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program);
  installSignalCleanup();
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors are invalid input.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_INPUT;
      return;
    }
    process.exitCode = reportError(err);
  }
}

await main(process.argv.slice(2));

import { execFileSync } from "node:child_process";

/**
 * The commit a bench run is on, for the data files it writes (bench/resolution/*.json,
 * bench/validation.json): the short hash, with " with local changes" when what produces the
 * numbers — src/, workers/, fixtures/, bench/ but for its documents (*.md), the studies' own data in
 * bench/resolution/ and the pathspecs in `exclude` (a bench's own outputs, e.g.
 * ":!bench/validation.json") — differs from it. Call it before the run, not after: a file edited
 * while a 15-minute study runs did not produce its numbers. "unknown" outside a git checkout.
 */
export function runCommit(exclude: readonly string[] = []): string {
  const git = (...a: string[]) => execFileSync("git", a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const changed = git("status", "--porcelain", "--untracked-files=no", "--", "src", "workers", "bench", "fixtures", ":!bench/resolution", ":!bench/*.md", ...exclude);
    return `${git("rev-parse", "--short", "HEAD")}${changed === "" ? "" : " with local changes"}`;
  } catch {
    return "unknown";
  }
}

import { execFileSync } from "node:child_process";

/**
 * The commit a bench run is on, for the data files it writes (bench/resolution/*.json): the short
 * hash, with " with local changes" when what produces the numbers — src/, workers/, bench/ but for
 * the studies' own data in bench/resolution/ — differs from it (documents edited meanwhile do not
 * count). Call it before the run, not after: a file edited while a 15-minute study runs did not
 * produce its numbers.
 */
export function runCommit(): string {
  const git = (...a: string[]) => execFileSync("git", a, { encoding: "utf8" }).trim();
  const changed = git("status", "--porcelain", "--untracked-files=no", "--", "src", "workers", "bench", ":!bench/resolution");
  return `${git("rev-parse", "--short", "HEAD")}${changed === "" ? "" : " with local changes"}`;
}

/**
 * The experiments bench/transport.md reports as tried and not kept stay repeatable: each patch in
 * bench/experiments/ says how to repeat it, is named in bench/transport.md, and still applies to
 * the current source (`git apply --check`, which changes nothing). When a change to the source
 * breaks one, refresh the patch against the new source or remove it with its mention. A document
 * check, not validation.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const patches = readdirSync(`${root}bench/experiments`).filter((f) => f.endsWith(".patch"));
const log = readFileSync(`${root}bench/transport.md`, "utf8");

describe("bench/experiments", () => {
  // `git apply --check` needs a checkout (a clone has one; an unpacked tarball does not).
  it.skipIf(!existsSync(`${root}.git`)).each(patches)("%s says how to repeat it, is named in bench/transport.md and applies to the current source", (name) => {
    const text = readFileSync(`${root}bench/experiments/${name}`, "utf8");
    expect(text.slice(0, text.indexOf("diff --git"))).toMatch(/To repeat it:\n\s+git apply bench\/experiments\//);
    expect(log).toContain(`bench/experiments/${name}`);
    // Throws (with git's message) when a hunk no longer applies.
    execFileSync("git", ["apply", "--check", `bench/experiments/${name}`], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  });
});

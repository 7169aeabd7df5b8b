/**
 * `sirtsim playground` through the real CLI (dist/, built by `npm test`'s pretest, which also
 * builds dist/playground): writing the page with --out, serving it on 127.0.0.1, stopping on a
 * signal, and a bad --port.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "dist/src/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "sirtsim-playground-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("sirtsim playground", () => {
  it("--out DIR writes the self-contained page and prints one JSON document with --json", () => {
    const r = spawnSync(process.execPath, [main, "playground", "--out", join(dir, "class"), "--json"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.file).toBe(join(dir, "class", "index.html"));
    expect(doc.url).toMatch(/^file:\/\//);
    expect(readFileSync(doc.file, "utf8")).toContain('id="engine-src"');
  });

  it("serves the page on 127.0.0.1 (404 for anything else) and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [main, "playground", "--port", "0", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const url: string = await new Promise((ok, fail) => {
      child.stdout.on("data", (d) => {
        out += d;
        try {
          ok(JSON.parse(out).url);
        } catch {
          // not the whole document yet
        }
      });
      child.once("exit", (code) => fail(new Error(`exited ${code} before printing the URL`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("sirtsim playground");
    expect((await fetch(`${url}etc/passwd`)).status).toBe(404);
    const exit = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });

  it("rejects a bad --port with exit 2 naming the option, and --port with --out, writing nothing", () => {
    const bad = spawnSync(process.execPath, [main, "playground", "--port", "70000"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--port must be an integer in \[0, 65535\]/);
    const both = spawnSync(process.execPath, [main, "playground", "--port", "1", "--out", join(dir, "both")], { encoding: "utf8" });
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--port/);
    expect(existsSync(join(dir, "both"))).toBe(false);
  });
});

/**
 * `sirtsim playground [--port N] [--out DIR] [--json]`: the teaching playground (docs/playground.md),
 * a single self-contained page built by `npm run build` (playground/build.ts → dist/playground/).
 * Without --out it is served on http://127.0.0.1:PORT/ (loopback only) until Ctrl-C; with --out the
 * page is written to DIR, to open from the file system or to put on any web server.
 */
import type { Command } from "commander";
import { createServer } from "node:http";
import { copyFile, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { InputError } from "../../errors.js";
import { withOutputDir } from "../../io/atomic.js";
import { action } from "../run.js";
import { parseIntegerOption, printJson, printText } from "../output.js";

interface PlaygroundCommandOptions {
  port?: string;
  out?: string;
  json?: boolean;
}

/** Default port: an unassigned one (IANA) above the common development ports. */
export const DEFAULT_PLAYGROUND_PORT = 8790;

export function registerPlayground(program: Command): void {
  program
    .command("playground")
    .description("the teaching playground in the browser: serve it on http://127.0.0.1:PORT (Ctrl-C stops) or write it to --out DIR")
    .option("--port <n>", `port on 127.0.0.1 (default ${DEFAULT_PLAYGROUND_PORT}; 0 = any free port)`)
    .option("--out <dir>", "write the page (index.html) to DIR instead of serving it")
    .option("--json", "print one JSON document (the URL, or the file written) on stdout")
    .action(action(async (options: PlaygroundCommandOptions) => runPlayground(options)));
}

/** The built page: dist/playground/index.html of this package. */
export function playgroundPage(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "playground", "build.ts"))) break;
    dir = dirname(dir);
  }
  return join(dir, "dist", "playground", "index.html");
}

async function runPlayground(options: PlaygroundCommandOptions): Promise<void> {
  const json = Boolean(options.json);
  if (options.out !== undefined && options.port !== undefined) {
    throw new InputError("--port", "--port serves the page; --out writes it: give one of them");
  }
  const port = options.port === undefined ? DEFAULT_PLAYGROUND_PORT : parseIntegerOption("--port", options.port, 0, 65535);
  const page = playgroundPage();
  if (!existsSync(page)) throw new Error(`the playground is not built (${page} is missing): run \`npm run build\``);
  if (options.out !== undefined) {
    await withOutputDir(options.out, (dir) => copyFile(page, join(dir, "index.html")));
    const file = join(resolve(options.out), "index.html");
    if (json) printJson({ file, url: pathToFileURL(file).href });
    else printText(`wrote ${file}\nopen ${pathToFileURL(file).href} in a browser (it works offline, from the file system)`, false);
    return;
  }
  const html = await readFile(page);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (path !== "/" && path !== "/index.html") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": html.length, "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : html);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      fail(err.code === "EADDRINUSE" ? new InputError("--port", `--port: ${port} on 127.0.0.1 is in use; choose another (0 = any free port)`) : err),
    );
    server.listen(port, "127.0.0.1", () => ok());
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/`;
  if (json) printJson({ url });
  else printText(`sirtsim playground: ${url}  (Ctrl-C stops)`, false);
  // Ctrl-C is how a server stops: exit 0 after closing, not the "interrupted" exit of a run.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  await new Promise<void>((done) => {
    const stop = () => {
      server.close(() => done());
      server.closeAllConnections();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  if (!json) process.stderr.write("playground stopped\n");
}

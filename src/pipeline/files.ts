/** Reading the simulate command's inputs: the case JSON, a mask image, earlier stage outputs. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.js";
import type { Grid } from "../geometry/index.js";
import { readNifti } from "../io/index.js";
import { parseJsonText } from "../io/json.js";
import { deserializeTree } from "../vascular/index.js";
import type { ArterialTree } from "../vascular/index.js";
import type { TransportResult } from "../transport/index.js";
import { decodeTransport } from "./stageFiles.js";

/** Read a JSON file; a missing file or bad JSON is invalid input naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new InputError(path, `${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseJsonText(text, path);
}

export async function readBytes(path: string, option: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new InputError(option, `${option} ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * The label image named by `geometry.mask.file` (resolved against the case file's folder), as a
 * Uint8 grid. Labels above 255 cannot be tumour labels of the case and are rejected.
 */
export async function readCaseMask(caseJson: unknown, casePath: string): Promise<{ grid: Grid<Uint8Array>; path: string } | undefined> {
  const file = (caseJson as { geometry?: { mask?: { file?: unknown } } })?.geometry?.mask?.file;
  if (typeof file !== "string") return undefined;
  const path = resolve(dirname(casePath), file);
  const labels = await readNifti(path, { kind: "labels" });
  const data = new Uint8Array(labels.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = labels.data[i];
    if (v > 255) throw new InputError("geometry.mask.file", `${path}: label ${v} at voxel ${i} is above 255 (labels must be 0..255)`);
    data[i] = v;
  }
  return { grid: { ...labels, data }, path };
}

/** A tree saved by an earlier run (tree.bin). */
export async function readTreeFile(path: string): Promise<ArterialTree> {
  const bytes = await readBytes(path, "--tree");
  try {
    return deserializeTree(bytes);
  } catch (err) {
    throw new InputError("--tree", `--tree ${path}: ${(err as Error).message}`);
  }
}

/** A transport result saved by an earlier run: lodged.bin and transport.json beside it. */
export async function readTransportFiles(lodgedPath: string): Promise<TransportResult> {
  const bytes = await readBytes(lodgedPath, "--lodged");
  const json = await readJsonFile(resolve(dirname(lodgedPath), "transport.json"));
  return decodeTransport(json, bytes, lodgedPath);
}

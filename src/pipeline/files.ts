/** Reading the simulate command's inputs: the case JSON, a mask image, earlier stage outputs. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.js";
import type { Grid } from "../geometry/index.js";
import { readNifti } from "../io/index.js";
import { parseJsonText } from "../io/json.js";
import type { ArterialTree } from "../vascular/index.js";
import type { TransportResult } from "../transport/index.js";
import { serializeTree } from "../vascular/index.js";
import { checkStageInputs, decodeLodgedFile, differingFields, decodeTreeFile, sha256, transportInputs, type CaseIdentity, type StageHeader } from "./stageFiles.js";
import type { ResolvedTransport, StageInputs } from "./simulate.js";

/**
 * Read a JSON file (nesting depth bounded, src/io/json.ts); a missing file or bad JSON is invalid
 * input naming the file. `what` names it in the message ("the case file").
 */
export async function readJsonFile(path: string, what = "the file"): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new InputError(path, `${path}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
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

/** A tree saved by an earlier run (tree.bin), checksum verified; its header says what it was grown from. */
export async function readTreeFile(path: string): Promise<{ tree: ArterialTree; header: StageHeader }> {
  return decodeTreeFile(await readBytes(path, "--tree"), `--tree ${path}`, "--tree");
}

/**
 * A transport result saved by an earlier run: lodged.bin and the transport.json beside it, both
 * checked against lodged.bin's header (checksum, transport.json's hash).
 */
export async function readTransportFiles(lodgedPath: string, option = "--lodged", label = `${option} ${lodgedPath}`): Promise<{ transport: TransportResult; header: StageHeader }> {
  const bytes = await readBytes(lodgedPath, option);
  const jsonPath = resolve(dirname(lodgedPath), "transport.json");
  let text: string;
  try {
    text = await readFile(jsonPath, "utf8");
  } catch (err) {
    throw new InputError(option, `${label}: cannot read ${jsonPath} beside it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return decodeLodgedFile(bytes, text, label, jsonPath, option);
}

/**
 * The `--tree` / `--lodged` stage inputs of a run, verified to belong to it: the tree must have
 * been grown from this case's geometry and tree section, the lodged counts from this tree, these
 * resolved injection/transport sections and this seed. A mismatch is invalid input naming the
 * file and every field that differs (with both values).
 */
export async function readStageInputs(
  identity: CaseIdentity,
  seed: number,
  paths: { readonly tree?: string | undefined; readonly lodged?: string | undefined },
  options: { readonly tree?: string; readonly lodged?: string } = { tree: "--tree", lodged: "--lodged" },
): Promise<{ stages: StageInputs; treeHeader?: StageHeader; lodgedHeader?: StageHeader }> {
  // Messages say "--tree PATH" for an option, PATH alone for a file found in a folder (merge).
  const label = (option: string | undefined, path: string) => (option ? `${option} ${path}` : path);
  let tree: { tree: ArterialTree; header: StageHeader } | undefined;
  if (paths.tree !== undefined) {
    const field = options.tree ?? paths.tree;
    tree = decodeTreeFile(await readBytes(paths.tree, field), label(options.tree, paths.tree), field);
    checkStageInputs(tree.header, identity.treeInputs, label(options.tree, paths.tree), field, "tree (the case's geometry and tree sections)");
  }
  if (paths.lodged === undefined) return { stages: tree ? { tree: tree.tree } : {}, ...(tree ? { treeHeader: tree.header } : {}) };
  const lodgedPath = paths.lodged;
  const lodgedField = options.lodged ?? lodgedPath;
  const lodgedLabel = label(options.lodged, lodgedPath);
  const lodged = await readTransportFiles(lodgedPath, lodgedField, lodgedLabel);
  const what = "transport (tree, injection and transport sections, planned activity, seed)";
  // What can be compared before the tree is grown: the seed, and the tree when it is loaded too.
  const early = lodged.header.inputs as { seed?: unknown; treeSha256?: unknown };
  const earlyDiffs = [
    ...differingFields(early.seed, seed, undefined, "seed"),
    ...(lodged.header.treeInputs !== undefined ? differingFields(lodged.header.treeInputs, identity.treeInputs) : []),
    ...(tree ? differingFields(early.treeSha256, tree.header.payloadSha256, undefined, "treeSha256") : []),
  ];
  if (earlyDiffs.length > 0) throw new InputError(lodgedField, `${lodgedLabel} was made for another ${what}: ${earlyDiffs.join("; ")}`);
  const checkTransport = (t: ArterialTree, sections: ResolvedTransport) => {
    const treeSha256 = tree?.header.payloadSha256 ?? sha256(serializeTree(t));
    checkStageInputs(lodged.header, transportInputs(treeSha256, sections, seed), lodgedLabel, lodgedField, what);
  };
  return {
    stages: { ...(tree ? { tree: tree.tree } : {}), transport: lodged.transport, checkTransport },
    ...(tree ? { treeHeader: tree.header } : {}),
    lodgedHeader: lodged.header,
  };
}

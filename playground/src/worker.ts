/**
 * The engine in a Web Worker (or in the page when workers are unavailable). The same script runs
 * in two roles:
 * - an engine worker (one per side, A and B): one message = one case to run; it posts a progress
 *   message as each stage starts and then the result with its typed arrays transferred. Each side
 *   has its own cache, so its tree is kept between changes. The page hands it MessagePorts to the
 *   helper workers (`{ type: "helpers", ports }`), over which it splits the sphere placement;
 * - a helper worker: answers placement requests and territory-cell requests (deposit.ts) on the
 *   ports the page gives it (`{ type: "serve", ports }`), one per engine worker.
 */
import { replyTransfer, runHelperRequest, type CellsRequest, type DepositPort, type DepositRequest, type KeptTissue, type TissueRequest } from "./deposit.js";
import { createEngineCache, heterogeneityModels, runCase, type EngineStage } from "./engine.js";

export interface EngineRequest {
  readonly id: number;
  readonly side: string;
  readonly caseJson: Record<string, unknown>;
}

/** Posted while a request runs: the stage that starts (the page shows it with the elapsed time). */
export interface EngineProgress {
  readonly id: number;
  readonly progress: EngineStage;
  readonly spheres?: number;
  readonly threads?: number;
}

const caches = new Map<string, ReturnType<typeof createEngineCache>>();
let helpers: DepositPort[] = [];

/** Run one request; the reply and the buffers to transfer. */
export async function handle(request: EngineRequest, onProgress?: (p: EngineProgress) => void): Promise<{ reply: Record<string, unknown>; transfer: ArrayBuffer[] }> {
  let cache = caches.get(request.side);
  if (!cache) caches.set(request.side, (cache = createEngineCache()));
  try {
    const result = await runCase(request.caseJson, cache, {
      helpers,
      ...(onProgress ? { onStage: (progress: EngineStage, detail?: { spheres?: number; threads?: number }) => onProgress({ id: request.id, progress, ...detail }) } : {}),
    });
    const buffers = new Set<ArrayBuffer>();
    // The label grid is not transferred: it belongs to the cached domain (kept while the geometry
    // is unchanged) and a transferred buffer is detached here, so the next change would fail to
    // post it ("An ArrayBuffer is detached"). It is cloned (1 byte per voxel).
    for (const a of [result.dose.data, ...result.dvh.flatMap((c) => [c.doseGy, c.volumeFraction])]) buffers.add(a.buffer as ArrayBuffer);
    return { reply: { id: request.id, ok: true, result }, transfer: [...buffers] };
  } catch (err) {
    const e = err as { message?: string; field?: string };
    return { reply: { id: request.id, ok: false, error: e?.message ?? String(err), field: e?.field ?? null }, transfer: [] };
  }
}

const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage: (message: unknown, transfer?: ArrayBuffer[]) => void;
  onmessage: ((ev: { data: EngineRequest | { type: "helpers" | "serve"; ports: MessagePort[] } }) => void) | null;
  sirtsimEngine?: unknown;
};
if (typeof scope.WorkerGlobalScope !== "undefined") {
  scope.onmessage = (ev) => {
    const data = ev.data;
    if ("type" in data && data.type === "helpers") {
      helpers = [...helpers, ...data.ports];
      return;
    }
    if ("type" in data && data.type === "serve") {
      for (const port of data.ports) {
        const kept: KeptTissue = new Map();
        port.onmessage = (m: MessageEvent) => {
          const reply = runHelperRequest(m.data as DepositRequest | CellsRequest | TissueRequest, kept);
          port.postMessage(reply, replyTransfer(reply));
        };
      }
      return;
    }
    const request = data as EngineRequest;
    void handle(request, (p) => scope.postMessage(p)).then(({ reply, transfer }) => scope.postMessage(reply, transfer));
  };
} else {
  // Loaded into the page (no worker): the page calls the engine directly.
  scope.sirtsimEngine = { handle, heterogeneityModels };
}

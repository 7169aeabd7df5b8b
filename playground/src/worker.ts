/**
 * The engine in a Web Worker (or in the page when workers are unavailable): one message = one
 * case to run; the reply carries the result with its typed arrays transferred. Each side of the
 * page (A, B) has its own cache, so its tree is kept between changes.
 */
import { createEngineCache, heterogeneityModels, runCase } from "./engine.js";

export interface EngineRequest {
  readonly id: number;
  readonly side: string;
  readonly caseJson: Record<string, unknown>;
}

const caches = new Map<string, ReturnType<typeof createEngineCache>>();

/** Run one request; the reply and the buffers to transfer. */
export async function handle(request: EngineRequest): Promise<{ reply: Record<string, unknown>; transfer: ArrayBuffer[] }> {
  let cache = caches.get(request.side);
  if (!cache) caches.set(request.side, (cache = createEngineCache()));
  try {
    const result = await runCase(request.caseJson, cache);
    const buffers = new Set<ArrayBuffer>();
    for (const a of [result.dose.data, result.labels, ...result.dvh.flatMap((c) => [c.doseGy, c.volumeFraction])]) buffers.add(a.buffer as ArrayBuffer);
    return { reply: { id: request.id, ok: true, result }, transfer: [...buffers] };
  } catch (err) {
    const e = err as { message?: string; field?: string };
    return { reply: { id: request.id, ok: false, error: e?.message ?? String(err), field: e?.field ?? null }, transfer: [] };
  }
}

const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage: (message: unknown, transfer: ArrayBuffer[]) => void;
  onmessage: ((ev: { data: EngineRequest }) => void) | null;
  sirtsimEngine?: unknown;
};
if (typeof scope.WorkerGlobalScope !== "undefined") {
  scope.onmessage = (ev) => {
    void handle(ev.data).then(({ reply, transfer }) => scope.postMessage(reply, transfer));
  };
} else {
  // Loaded into the page (no worker): the page calls the engine directly.
  scope.sirtsimEngine = { handle, heterogeneityModels };
}

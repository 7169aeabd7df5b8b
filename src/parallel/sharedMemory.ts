/**
 * Typed arrays in SharedArrayBuffers, which worker tasks receive as views (shared, not cloned).
 */

type SharedCopyable = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

/** `x` itself when it already lives in shared memory, else a copy on a new SharedArrayBuffer. */
export function toShared<T extends SharedCopyable>(x: T): T {
  if (x.buffer instanceof SharedArrayBuffer) return x;
  const Ctor = x.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(x.byteLength));
  out.set(x as never);
  return out;
}

const copies = new WeakMap<SharedCopyable, SharedCopyable>();

/**
 * toShared remembered per array, for arrays that do not change once built — a tree's (the
 * transport and the lodging positions of one run share them), a cached kernel spectrum: each is
 * copied once while it lives. Do not use it for an array that is written afterwards.
 */
export function sharedCopyOf<T extends SharedCopyable>(x: T): T {
  let copy = copies.get(x) as T | undefined;
  if (copy === undefined) copies.set(x, (copy = toShared(x)));
  return copy;
}

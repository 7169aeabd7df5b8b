/** Types for the PFFFT WebAssembly build (the package ships none): an Emscripten module factory. */
declare module "@echogarden/pffft-wasm/simd" {
  const PFFFT: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default PFFFT;
}

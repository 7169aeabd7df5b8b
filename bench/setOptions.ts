/**
 * The benches' `--set a.b.c=JSON` options (repeatable), e.g. `--set transport.embolic.plugLengthMm=0.3`:
 * the values after each `--set` in `args`, and writing them into a case's JSON (intermediate
 * objects created). Used by bench/scale-transport.ts, transport-ab.ts, transport-capacity.ts and transport-resolution.ts;
 * optionOf by transport-resolution.ts, transport-tn-position.ts, transport-tumour-shells.ts and transport-wedge-points.ts.
 */
/** The value after `--name` in `args`, else `fallback` (the benches' `--terminals 4000,40000`-style options). */
export function optionOf(args: readonly string[], name: string, fallback: string): string {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? args[k + 1] : fallback;
}

export function setOptionsOf(args: readonly string[]): string[] {
  return args.flatMap((x, i) => (x === "--set" ? [args[i + 1]] : []));
}

export function applySetOptions(json: Record<string, unknown>, sets: readonly string[]): void {
  for (const set of sets) {
    const at = set.indexOf("=");
    const keys = set.slice(0, at).split(".");
    let node = json;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = JSON.parse(set.slice(at + 1));
  }
}

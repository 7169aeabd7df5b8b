/**
 * A throttled progress line on stderr, only when stderr is a terminal and not in --json mode
 * (issue 6): silent when piped, so logs and CI output stay clean.
 */
export interface Progress {
  update(done: number, total: number, detail?: string): void;
  finish(): void;
}

export function createProgress(label: string, { json = false, intervalMs = 200 }: { json?: boolean; intervalMs?: number } = {}): Progress {
  const enabled = !json && process.stderr.isTTY === true;
  if (!enabled) return { update() {}, finish() {} };
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total, detail = "") {
      const now = Date.now();
      if (now - last < intervalMs && done < total) return;
      last = now;
      const elapsedS = (now - start) / 1000;
      const etaS = done > 0 ? (elapsedS * (total - done)) / done : NaN;
      const eta = Number.isFinite(etaS) ? ` ETA ${etaS.toFixed(0)} s` : "";
      process.stderr.write(`\r${label}: ${done}/${total}${detail ? ` ${detail}` : ""}${eta}\x1b[K`);
      shown = true;
    },
    finish() {
      if (shown) process.stderr.write("\n");
    },
  };
}

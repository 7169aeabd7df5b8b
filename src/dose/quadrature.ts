/**
 * Gauss–Legendre rules on [0, 1] (Golub–Welsch is not needed: Newton on the Legendre recurrence
 * converges for every n used here, n ≤ 2000), cached by n.
 */

export interface Rule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const cache = new Map<number, Rule>();

/** n-point Gauss–Legendre nodes and weights on [0, 1]; the weights sum to 1. */
export function gaussLegendre01(n: number): Rule {
  const hit = cache.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    // Initial guess (Tricomi) for the i-th root of P_n on [-1, 1], then Newton.
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pn1 = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pn1)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    if (n === 1) {
      x = 0;
      dp = 1;
    }
    const w = n === 1 ? 2 : 2 / ((1 - x * x) * dp * dp);
    nodes[i] = (1 - x) / 2;
    nodes[n - 1 - i] = (1 + x) / 2;
    weights[i] = w / 2;
    weights[n - 1 - i] = w / 2;
  }
  const rule = Object.freeze({ nodes, weights });
  cache.set(n, rule);
  return rule;
}

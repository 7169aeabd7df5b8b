/**
 * Placement noise of terminal flows (docs/transport.md "Terminal flows from a tessellation"): a
 * 125 mL ellipsoidal liver grown at 5,000 and 50,000 terminals with equal terminal flows and with
 * the tessellation; each terminal's expected share of the spheres (heterogeneity model "flow":
 * only the tree) spread over its territory ball at 64 fixed points, binned in cubes of side L;
 * RD over the cubes wholly inside the liver, beside the fractal law's RD for that cube mass.
 *   npx tsx bench/transport-placement.ts   (~1 min)
 */
import { fixedCapacity } from "../src/transport/models/capacity.js";
import { buildDomain } from "../src/geometry/build.js";
import { growTree } from "../src/vascular/grow.js";
import { createTransportContext } from "../src/transport/context.js";
import { createFlowState, solveSplits } from "../src/transport/flowSolve.js";
import { expectedLodging } from "../src/transport/embolicLoad.js";
import { resolveHeterogeneity, splitOdds, relativeDispersion } from "../src/transport/models/heterogeneity.js";
const domain = buildDomain({ liver: { ellipsoids: [{ centerMm: [0, 0, 0], semiAxesMm: [40, 30, 25] }] }, tumours: [] } as any);
const Ls = [1, 2, 4, 8, 12];
for (const N of [5000, 50000]) for (const tf of ["equal", "tessellation"] as const) {
  const tree = growTree(domain, { terminals: N, optimisedTerminals: 500, terminalFlows: tf }, 3);
  for (const model of ["flow"] as const) {
    const h = resolveHeterogeneity({ model }, 0.5);
    const odds = splitOdds(tree, h);
    const ctx = createTransportContext(tree, 0, null, new Float64Array(1), 6);
    const state = createFlowState(tree, fixedCapacity(50));
    const split0 = new Float64Array(tree.segmentCount);
    solveSplits(split0, state, ctx, odds, new Int32Array(200));
    const e = new Float64Array(tree.segmentCount);
    expectedLodging(e, new Float64Array(tree.segmentCount), ctx, split0, 0);
    const out: string[] = [];
    for (const L of Ls) {
      const map = new Map<number, number>();
      for (let j = 0; j < tree.segmentCount; j++) {
        if (tree.child0[j] >= 0) continue;
        const R = Math.cbrt(3*tree.territoryMl[j]*1000/(4*Math.PI));
        let seedr = (j*2654435761) % 4294967296;
        const rnd = () => { seedr = (seedr * 1664525 + 1013904223) % 4294967296; return seedr/4294967296; };
        const K = 64;
        for (let q = 0; q < K; q++) {
          let a, b, c;
          if (process.env.GAUSS) { const sg = Number(process.env.GAUSS)*Math.cbrt(tree.territoryMl[j]*1000)/R; const g = () => { let u1=rnd(); if(u1<1e-12)u1=1e-12; return Math.sqrt(-2*Math.log(u1))*Math.cos(2*Math.PI*rnd()); }; do { a=sg*g(); b=sg*g(); c=sg*g(); } while (a*a+b*b+c*c>9*sg*sg); }
          else do { a=2*rnd()-1; b=2*rnd()-1; c=2*rnd()-1; } while (a*a+b*b+c*c>1);
          const x = tree.distalMm[3*j]+R*a, y = tree.distalMm[3*j+1]+R*b, z = tree.distalMm[3*j+2]+R*c;
          const k = (Math.floor(x/L)+500)*1e6 + (Math.floor(y/L)+500)*1e3 + (Math.floor(z/L)+500);
          map.set(k, (map.get(k) ?? 0) + e[j]/K);
        }
      }
      const vals: number[] = [];
      for (const [k, v] of map) {
        const a = Math.floor(k/1e6)-500, b = Math.floor((k%1e6)/1e3)-500, c = (k%1e3)-500;
        let inside = true;
        for (const dx of [0,1]) for (const dy of [0,1]) for (const dz of [0,1]) {
          const X=(a+dx)*L/40, Y=(b+dy)*L/30, Z=(c+dz)*L/25; if (X*X+Y*Y+Z*Z>1) inside=false;
        }
        if (inside) vals.push(v);
      }
      const m = vals.reduce((s,v)=>s+v,0)/vals.length;
      const sd = Math.sqrt(vals.reduce((s,v)=>s+(v-m)**2,0)/(vals.length-1));
      const mass = L*L*L*1.03e-3;
      out.push(`L${L} ${(sd/m).toFixed(3)}/${relativeDispersion(h, mass).toFixed(3)}`);
    }
    console.log(N, tf, model, out.join("  "));
  }
}

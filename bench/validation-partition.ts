/**
 * The simulation against the partition model (Ho et al., Eur J Nucl Med 1996;23:947) on the
 * bundled NET case and on a scan of uniform tumours of 5-25 mm radius, and what separates the
 * voxel doses from it: lodging-position spill and beta cross-fire.
 *
 * For each tumour it prints, relative to the partition model's mean dose:
 *  - tissue-level: K · A(spheres in the compartment's terminals) / mass — the partition model's own physics;
 *  - LDM: local deposition on the 2 mm voxel grid (spill + voxelisation, no cross-fire);
 *  - FFT: S-value convolution (spill + voxelisation + cross-fire), over all voxels and over the voxels
 *    at least 2.5 / 5.5 / 11 mm inside the surface (mean / ~90 % / maximum Y-90 beta range);
 *  - spill: spheres of the tumour's terminals placed outside it, and other compartments' spheres placed
 *    inside it (positions as the deposit places them: src/pipeline/core.ts spherePlacement);
 *  - φ(R): the self-absorbed fraction of a uniform sphere of radius R, from the radial Y-90 kernel and
 *    the closed-form probability P(r) = 1 − 3r/(4R) + r³/(16R³) that a point at distance r from a uniform point of the sphere is inside it —
 *    an independent closed form. The FFT mean predicted from the LDM means is
 *    φ · LDM_tumour + (1 − φ) · LDM_normal (cross-fire out of the tumour, and in from normal liver).
 *
 * Then the same NET case with embolic feedback on (the bundled default) next to feedback off.
 * Run: npx tsx bench/validation-partition.ts   (~40 s: three simulations of 100,000 terminals)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSimulationCase } from "../src/pipeline/caseInput.js";
import type { SimulationCase } from "../src/pipeline/caseInput.js";
import { depositLodgedSpheres, simulateCore } from "../src/pipeline/simulate.js";
import { finishSimulation } from "../src/pipeline/finish.js";
import type { SimulationSummary } from "../src/pipeline/finish.js";
import { energyPerRadiusMeVPerMm, radialKernel } from "../src/dose/kernel.js";
import { forEachPlacedSphereChunk, runPlacement } from "../src/pipeline/core.js";
import { compartmentOfLabel, labelAt, voxelToWorld } from "../src/geometry/index.js";
import type { Vec3 } from "../src/geometry/index.js";

const ROOT = join(import.meta.dirname, "..");
const netCase = JSON.parse(readFileSync(join(ROOT, "fixtures/cases/net-default.json"), "utf8")) as Record<string, unknown>;
const DEPTHS_MM = [2.5, 5.5, 11];

/** Self-absorbed fraction of a uniform Y-90 sphere of radius R in tissue of the case's density. */
function selfAbsorbedFraction(radiusMm: number, densityGPerMl: number): number {
  const k = radialKernel("Y-90", { densityGPerMl });
  const rMax = Math.min(2 * radiusMm, k.maxRadiusMm);
  const n = 20000;
  const h = rMax / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = (i + 0.5) * h;
    const x = r / radiusMm;
    sum += energyPerRadiusMeVPerMm(k, r) * (1 - 0.75 * x + x ** 3 / 16) * h;
  }
  return sum / k.totalMeV;
}

interface Run {
  readonly simCase: SimulationCase;
  readonly summary: SimulationSummary;
  /** Per tumour index: mean FFT and LDM dose of voxels ≥ depth inside the surface (uniform spheres only). */
  readonly interior: Array<Array<{ fft: number; ldm: number; voxels: number } | null>>;
  /** spill[c] = { out: spheres of compartment c placed outside it, in: others' spheres placed inside c, own }. */
  readonly spill: Array<{ out: number; in: number; own: number }>;
  readonly seconds: number;
}

async function run(json: Record<string, unknown>): Promise<Run> {
  const t0 = Date.now();
  const simCase = loadSimulationCase(json, String(json.name));
  const core = simulateCore(simCase);
  const part = depositLodgedSpheres(simCase, core);
  const out = await finishSimulation(simCase, core, part.counts, part.outsideGrid);
  const domain = simCase.domain;
  const C = 1 + domain.tumours.length;
  const spill = Array.from({ length: C }, () => ({ out: 0, in: 0, own: 0 }));
  // Attribution as in the transport stage: a sphere wedged at a non-terminal inlet counts for the
  // compartment of the larger-territory daughter, recursively.
  const tree = core.tree;
  const subtreeMl = new Float64Array(tree.segmentCount);
  for (let i = tree.segmentCount - 1; i >= 0; i--) {
    if (tree.child0[i] < 0) subtreeMl[i] = tree.territoryMl[i];
    if (tree.parent[i] >= 0) subtreeMl[tree.parent[i]] += subtreeMl[i];
  }
  const attributed = new Int32Array(tree.segmentCount);
  for (let i = tree.segmentCount - 1; i >= 0; i--) {
    const c0 = tree.child0[i];
    const c1 = tree.child1[i];
    attributed[i] = c0 < 0 ? tree.compartment[i] : attributed[subtreeMl[c0] >= subtreeMl[c1] ? c0 : c1];
  }
  // Positions as the deposit placed them (clipped, sub-terminal cascade of the case's model).
  forEachPlacedSphereChunk(core.tree, core.transport.segmentLodged, simCase.seed, runPlacement(core, domain), (chunk) => {
    const p = chunk.positionsMm;
    for (let s = 0; s < chunk.count; s++) {
      const from = attributed[chunk.segment[s]];
      const at = compartmentOfLabel(domain, labelAt(domain, p[3 * s], p[3 * s + 1], p[3 * s + 2]));
      spill[from].own++;
      if (at !== from) {
        spill[from].out++;
        if (at >= 0) spill[at].in++;
      }
    }
  });
  const g = out.dose.doseGy;
  const [nx, ny, nz] = g.dims;
  const w: Vec3 = [0, 0, 0];
  const interior = domain.tumours.map((t) => {
    const shape = t.shape;
    if (shape === null || shape.kind !== "sphere" || t.necroticCoreFraction > 0 || t.rimFraction > 0) return DEPTHS_MM.map(() => null);
    return DEPTHS_MM.map((depth) => {
      const rIn = shape.radiusMm - depth;
      if (rIn <= 0) return null;
      let fft = 0;
      let ldm = 0;
      let voxels = 0;
      for (let k = 0; k < nz; k++) {
        for (let j = 0; j < ny; j++) {
          for (let i = 0; i < nx; i++) {
            voxelToWorld(w, g, i, j, k);
            if (Math.hypot(w[0] - shape.centerMm[0], w[1] - shape.centerMm[1], w[2] - shape.centerMm[2]) > rIn) continue;
            const n = i + nx * (j + ny * k);
            fft += g.data[n];
            ldm += out.dose.ldmDoseGy.data[n];
            voxels++;
          }
        }
      }
      return voxels === 0 ? null : { fft: fft / voxels, ldm: ldm / voxels, voxels };
    });
  });
  return { simCase, summary: out.summary, interior, spill, seconds: (Date.now() - t0) / 1000 };
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? "–" : `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} %`);

function partitionTable(r: Run): void {
  const s = r.summary;
  const density = r.simCase.dose.densityGPerMl;
  const normalLdm = s.compartments.normal.meanDoseLdmGy;
  console.log(`\n${s.name}: ${s.activityGBq.toFixed(3)} GBq, ${s.spheresInjected.toLocaleString("en")} spheres, embolic feedback ${(s.reproduce.transport as { embolic?: { enabled?: boolean } }).embolic?.enabled ? "on" : "off"}, ${r.seconds.toFixed(1)} s`);
  console.log("");
  console.log(`| compartment | R mm | T/N (mean) | partition Gy | tissue-level | LDM | FFT | FFT ≥ ${DEPTHS_MM.join(" / ")} mm inside (voxels) | LDM ≥ ${DEPTHS_MM.at(-1)} mm inside | spill out / in | φ(R) | FFT predicted from LDM and φ |`);
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  r.simCase.domain.tumours.forEach((t, ti) => {
    const c = s.compartments[t.name];
    const p = s.partitionModel[t.name].meanDoseGy;
    const R = t.shape !== null && t.shape.kind === "sphere" ? t.shape.radiusMm : NaN;
    const phi = selfAbsorbedFraction(R, density);
    const predicted = phi * c.meanDoseLdmGy + (1 - phi) * normalLdm;
    const sp = r.spill[ti + 1];
    const tn = r.simCase.planning.compartments.find((x) => x.name === t.name)?.tumourToNormalRatio ?? NaN;
    const inside = r.interior[ti].map((x) => (x === null ? "–" : `${pct(x.fft / p - 1)} (${x.voxels})`)).join(" / ");
    const last = r.interior[ti].at(-1);
    console.log(
      `| ${t.name} | ${R} | ${tn.toFixed(2)} | ${p.toFixed(1)} | ${pct(c.meanDoseFromSpheresGy! / p - 1)} | ${pct(c.meanDoseLdmGy / p - 1)} | ${pct(c.meanDoseGy / p - 1)} | ${inside} | ${last ? pct(last.ldm / p - 1) : "–"} | ${(100 * sp.out / sp.own).toFixed(1)} % / ${(100 * sp.in / sp.own).toFixed(1)} % | ${phi.toFixed(3)} | ${pct(predicted / p - 1)} (measured ${pct(c.meanDoseGy / predicted - 1)} from it) |`,
    );
  });
  const n = s.compartments.normal;
  const sp = r.spill[0];
  console.log(`| normal | – | 1 | ${s.partitionModel.normal.meanDoseGy.toFixed(1)} | ${pct(n.meanDoseFromSpheresGy! / s.partitionModel.normal.meanDoseGy - 1)} | ${pct(n.meanDoseLdmGy / s.partitionModel.normal.meanDoseGy - 1)} | ${pct(n.meanDoseGy / s.partitionModel.normal.meanDoseGy - 1)} | – | – | ${(100 * sp.out / sp.own).toFixed(2)} % / ${(100 * sp.in / sp.own).toFixed(2)} % | – | – |`);
  console.log(`| lung | – | – | ${s.partitionModel.lung.meanDoseGy.toFixed(2)} | ${pct(s.lung.meanDoseGy / s.partitionModel.lung.meanDoseGy - 1)} | – | – | – | – | – | – | – |`);
}

function feedbackTable(off: Run, on: Run): void {
  const a = off.summary;
  const b = on.summary;
  console.log(`\nEmbolic feedback (capacity ${JSON.stringify((b.reproduce.transport as { embolic?: { capacitySpheres?: number } }).embolic?.capacitySpheres)} spheres per vessel) on vs off, same seed:`);
  console.log("");
  console.log("| quantity | feedback off | feedback on | on / off − 1 |");
  console.log("|---|---:|---:|---:|");
  console.log(`| batches | ${a.transport.batches} | ${b.transport.batches} | – |`);
  console.log(`| realised T/N (spheres per mL, tumours vs normal) | ${a.tumourToNormalRatio.realisedSpheres!.toFixed(3)} | ${b.tumourToNormalRatio.realisedSpheres!.toFixed(3)} | ${pct(b.tumourToNormalRatio.realisedSpheres! / a.tumourToNormalRatio.realisedSpheres! - 1)} |`);
  console.log(`| reflux spheres / stasis | ${a.reflux.spheres} / ${a.reflux.stasis} | ${b.reflux.spheres} / ${b.reflux.stasis} | – |`);
  for (const name of Object.keys(a.compartments)) {
    const x = a.compartments[name].meanDoseFromSpheresGy;
    const y = b.compartments[name].meanDoseFromSpheresGy;
    if (x === null || y === null) continue;
    console.log(`| ${name}: tissue-level dose Gy (partition ${a.partitionModel[name].meanDoseGy.toFixed(1)}) | ${x.toFixed(2)} | ${y.toFixed(2)} | ${pct(y / x - 1)} |`);
  }
  for (const name of Object.keys(a.compartments)) {
    console.log(`| ${name}: FFT mean / D70 Gy | ${a.compartments[name].meanDoseGy.toFixed(1)} / ${a.compartments[name].D70Gy.toFixed(1)} | ${b.compartments[name].meanDoseGy.toFixed(1)} / ${b.compartments[name].D70Gy.toFixed(1)} | ${pct(b.compartments[name].meanDoseGy / a.compartments[name].meanDoseGy - 1)} |`);
  }
}

const scanCase = {
  ...netCase,
  name: "uniform tumours of 5-25 mm radius, T/N 4, feedback off",
  geometry: {
    tumours: [
      { name: "R25", centerMm: [45, -25, 0], radiusMm: 25, tnRatio: 4 },
      { name: "R20", centerMm: [-55, 10, 10], radiusMm: 20, tnRatio: 4 },
      { name: "R15", centerMm: [40, 35, 25], radiusMm: 15, tnRatio: 4 },
      { name: "R11", centerMm: [55, 10, -35], radiusMm: 11, tnRatio: 4 },
      { name: "R8", centerMm: [10, 40, -20], radiusMm: 8, tnRatio: 4 },
      { name: "R5", centerMm: [-30, 45, 0], radiusMm: 5, tnRatio: 4 },
    ],
  },
  transport: { embolic: { enabled: false } },
};
const offCase = { ...netCase, transport: { ...(netCase.transport as object), embolic: { enabled: false } } };

console.log(`validation: simulation vs partition model (node ${process.version}); relative differences to the partition model's mean dose`);
const scan = await run(scanCase);
partitionTable(scan);
const off = await run(offCase);
partitionTable(off);
const on = await run(netCase);
feedbackTable(off, on);

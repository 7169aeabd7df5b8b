/**
 * Keyed random streams: xoshiro128** (Blackman & Vigna 2018) seeded by splitmix64 from
 * (seed, stream id). A stream id names a unit of work (a batch, a subtree, a tree-growth step),
 * never a thread, so results do not depend on how work is scheduled (DESIGN.md).
 *
 * The generator is a small object over a Uint32Array state and a block of its next outputs: it
 * allocates nothing per draw.
 */

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 step (Steele, Lea & Flood 2014): returns [next state, output]. */
function splitmix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** 2^-32 and 2^-53, for turning integers into doubles in [0, 1). */
const TWO_POW_M32 = 2 ** -32;
const TWO_POW_M53 = 2 ** -53;

/**
 * Outputs generated at a time. The generator runs BLOCK steps in a loop over local variables and
 * hands them out one by one: the same sequence as one step per call (test/random/stream.test.ts
 * checks the reference outputs and the block boundaries), at a fraction of the cost — one typed-array
 * load per output instead of four loads and four stores of the state. A stream used for a few draws
 * generates up to BLOCK − 1 outputs nobody reads (~0.1 µs).
 */
const BLOCK = 64;

export class RandomStream {
  /** xoshiro128** state, four 32-bit words: the state after the outputs generated so far (which may be ahead of those read). */
  readonly state: Uint32Array;
  private readonly block = new Uint32Array(BLOCK);
  private next = BLOCK;

  constructor(state: Uint32Array) {
    this.state = state;
  }

  /**
   * Make this stream, in place, the one createStream(seed, streamId) returns, with `seedKey` =
   * streamSeedKey(seed) and the 64-bit id as two 32-bit words: the same splitmix64 steps in 32-bit
   * arithmetic, without BigInt or allocation (≈ 10× cheaper: a stream per segment near the root of
   * every transport batch, src/transport/cascade.ts). test/random/stream.test.ts checks it equals
   * createStream.
   */
  rekey(seedKey: Uint32Array, idHi: number, idLo: number): void {
    mul64(idHi >>> 0, idLo >>> 0, 0xd1b54a32, 0xd192ed03);
    keyHi = (seedKey[0] ^ H) >>> 0;
    keyLo = (seedKey[1] ^ L) >>> 0;
    const st = this.state;
    splitmix64Step();
    st[0] = L;
    st[1] = H;
    splitmix64Step();
    st[2] = L;
    st[3] = H;
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1; // all-zero state is a fixed point
    this.next = BLOCK;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    if (this.next === BLOCK) this.refill();
    return this.block[this.next++];
  }

  /** The next BLOCK outputs of xoshiro128** (Blackman & Vigna 2018), state advanced past them. */
  private refill(): void {
    const st = this.state;
    const out = this.block;
    let s0 = st[0] | 0;
    let s1 = st[1] | 0;
    let s2 = st[2] | 0;
    let s3 = st[3] | 0;
    for (let i = 0; i < BLOCK; i++) {
      out[i] = Math.imul(rotl(Math.imul(s1, 5), 7), 9); // stored as uint32 (ToUint32)
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
    this.next = 0;
  }

  /** Advance past the next `count` outputs: the state `count` nextUint32 calls leave (nextFloat reads two). */
  skip(count: number): void {
    while (count > 0) {
      if (this.next === BLOCK) this.refill();
      const take = Math.min(count, BLOCK - this.next);
      this.next += take;
      count -= take;
    }
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_M53;
  }

  /** Uniform double in (0, 1): never 0, safe for logarithms. */
  nextOpenFloat(): number {
    return (this.nextUint32() + 0.5) * TWO_POW_M32;
  }

  /** Uniform integer in [0, n), n ≤ 2^32, without modulo bias (Lemire's method, simple rejection). */
  nextInt(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal deviate (Marsaglia polar method). */
  nextNormal(): number {
    let u: number, v: number, s: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** Results of the 32-bit-word 64-bit arithmetic below (high and low words, uint32), and the splitmix64 state. */
let H = 0;
let L = 0;
let keyHi = 0;
let keyLo = 0;

/** (ah·2^32 + al) × (bh·2^32 + bl) mod 2^64 into H, L (16-bit partial products: exact in doubles). */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  L = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const high = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  H = (high + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** splitmix64 (as splitmix64 above) on the state (keyHi, keyLo): advances it, output into H, L. */
function splitmix64Step(): void {
  const lo = keyLo + 0x7f4a7c15;
  keyLo = lo >>> 0;
  keyHi = (keyHi + 0x9e3779b9 + (lo > 0xffffffff ? 1 : 0)) >>> 0;
  let zh = keyHi;
  let zl = keyLo;
  let sl = ((zl >>> 30) | (zh << 2)) >>> 0;
  zh = (zh ^ (zh >>> 30)) >>> 0;
  zl = (zl ^ sl) >>> 0;
  mul64(zh, zl, 0xbf58476d, 0x1ce4e5b9);
  zh = H;
  zl = L;
  sl = ((zl >>> 27) | (zh << 5)) >>> 0;
  zh = (zh ^ (zh >>> 27)) >>> 0;
  zl = (zl ^ sl) >>> 0;
  mul64(zh, zl, 0x94d049bb, 0x133111eb);
  zh = H;
  zl = L;
  L = (zl ^ (((zl >>> 31) | (zh << 1)) >>> 0)) >>> 0;
  H = (zh ^ (zh >>> 31)) >>> 0;
}

/** The key createStream derives from `seed` (its first splitmix64 output), [high, low] words, for RandomStream.rekey. */
export function streamSeedKey(seed: number | bigint): Uint32Array {
  if (typeof seed === "number" && (!Number.isInteger(seed) || seed < 0)) {
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  }
  const [, key] = splitmix64(BigInt(seed) & MASK64);
  return Uint32Array.of(Number(key >> 32n), Number(key & 0xffffffffn));
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * The stream for work unit `streamId` of a run seeded with `seed`. Different (seed, id) pairs give
 * statistically independent streams: the 128-bit state is four splitmix64 outputs of a key that
 * mixes both numbers.
 */
export function createStream(seed: number | bigint, streamId: number | bigint): RandomStream {
  if (typeof seed === "number" && (!Number.isInteger(seed) || seed < 0)) {
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  }
  if (typeof streamId === "number" && (!Number.isInteger(streamId) || streamId < 0)) {
    throw new RangeError(`streamId must be a non-negative integer, got ${streamId}`);
  }
  // Scramble the seed first so that (seed, id) pairs do not collide by a simple XOR.
  let [, key] = splitmix64(BigInt(seed) & MASK64);
  key ^= (BigInt(streamId) * 0xd1b54a32d192ed03n) & MASK64;
  const state = new Uint32Array(4);
  let out: bigint;
  [key, out] = splitmix64(key);
  state[0] = Number(out & 0xffffffffn);
  state[1] = Number(out >> 32n);
  [key, out] = splitmix64(key);
  state[2] = Number(out & 0xffffffffn);
  state[3] = Number(out >> 32n);
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1; // all-zero state is a fixed point
  return new RandomStream(state);
}

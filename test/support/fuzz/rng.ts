// A small seeded PRNG (mulberry32) so every fuzz run can be replayed exactly:
// the seed is printed, and FUZZ_SEED=<n> reproduces the same request sequence.
export interface Rng {
  seed: number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

/** FUZZ_SEED from the environment, else a fresh random seed. */
export function seedFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FUZZ_SEED;
  if (raw !== undefined && /^\d+$/.test(raw.trim())) return Number(raw.trim()) >>> 0;
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

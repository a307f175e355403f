import seedrandom from 'seedrandom';

/** A uniform random source on [0, 1). */
export type RandomSource = () => number;

/** One independent stream per purpose, each seeded from the config's seed and its purpose name. */
export interface RandomStreams {
  readonly arrivals: RandomSource;
  readonly lengths: RandomSource;
  readonly routing: RandomSource;
  /** Shared-prefix group of each request (`workloadSpec.prefixSharing`); drawn only when prefixes are shared. */
  readonly prefixGroups: RandomSource;
  /** Turns per session and think times (`workloadSpec.sessions`); drawn only with sessions. */
  readonly sessions: RandomSource;
}

export function createRandomStreams(seed: number): RandomStreams {
  const stream = (purpose: string): RandomSource => seedrandom(`llm-sim:${seed}:${purpose}`);
  return {
    arrivals: stream('arrivals'),
    lengths: stream('lengths'),
    routing: stream('routing'),
    prefixGroups: stream('prefix-groups'),
    sessions: stream('sessions'),
  };
}

/** Exponential variate with the given mean. */
export function exponential(random: RandomSource, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** Standard normal variate (Box–Muller; uses two uniforms). */
export function standardNormal(random: RandomSource): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma variate with shape k and scale θ (Marsaglia–Tsang; boosts k < 1). */
export function gamma(random: RandomSource, shape: number, scale: number): number {
  if (shape < 1) return gamma(random, shape + 1, scale) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v * scale;
  }
}

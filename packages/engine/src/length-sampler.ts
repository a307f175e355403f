import type { LengthDistribution } from '@sim/specs';
import { type RandomSource, standardNormal } from './random-streams';
import { readTraceCached } from './trace-cache';

/** Draws (input, output) token counts; lengths are at least 1. */
export type LengthSampler = (random: RandomSource) => { input: number; output: number };

/**
 * Builds the sampler for a length distribution with the given means (see LengthDistribution's
 * docs for each family). Empirical distributions read their file once.
 */
export function createLengthSampler(
  distribution: LengthDistribution,
  avgInput: number,
  avgOutput: number,
): LengthSampler {
  switch (distribution.type) {
    case 'fixed':
      return () => ({ input: avgInput, output: avgOutput });
    case 'uniform': {
      const draw = (random: RandomSource, mean: number) =>
        Math.max(1, Math.round(mean * (1 - distribution.spread + 2 * distribution.spread * random())));
      return (random) => ({ input: draw(random, avgInput), output: draw(random, avgOutput) });
    }
    case 'normal': {
      const draw = (random: RandomSource, mean: number) =>
        Math.max(1, Math.round(mean * (1 + distribution.cv * standardNormal(random))));
      return (random) => ({ input: draw(random, avgInput), output: draw(random, avgOutput) });
    }
    case 'lognormal': {
      const sigma = Math.sqrt(Math.log(1 + distribution.cv * distribution.cv));
      const draw = (random: RandomSource, mean: number) =>
        Math.max(1, Math.round(mean * Math.exp(sigma * standardNormal(random) - (sigma * sigma) / 2)));
      return (random) => ({ input: draw(random, avgInput), output: draw(random, avgOutput) });
    }
    case 'zipf': {
      const input = zipfTable(distribution.exponent, avgInput);
      const output = zipfTable(distribution.exponent, avgOutput);
      return (random) => ({ input: sampleTable(input, random()), output: sampleTable(output, random()) });
    }
    case 'empirical': {
      const trace = readTraceCached(distribution.file, 'workloadSpec.lengthDistribution.file');
      const count = trace.inputTokens.length;
      return (random) => {
        const index = Math.min(count - 1, Math.floor(random() * count));
        return { input: trace.inputTokens[index] ?? 0, output: trace.outputTokens[index] ?? 0 };
      };
    }
  }
}

/** Cumulative distribution of P(l) ∝ l^−s on 1..L, with L chosen (by bisection) so the mean is `mean`. */
function zipfTable(exponent: number, mean: number): Float64Array {
  const build = (limit: number) => {
    const cdf = new Float64Array(limit);
    let total = 0;
    let weighted = 0;
    for (let length = 1; length <= limit; length++) {
      const weight = length ** -exponent;
      total += weight;
      weighted += weight * length;
      cdf[length - 1] = total;
    }
    for (let index = 0; index < limit; index++) cdf[index] = (cdf[index] ?? 0) / total;
    return { cdf, mean: weighted / total };
  };
  let low = 1;
  let high = Math.max(2, Math.ceil(mean * 2));
  while (build(high).mean < mean && high < 1 << 22) high *= 2;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (build(middle).mean < mean) low = middle;
    else high = middle;
  }
  return build(high).cdf;
}

function sampleTable(cdf: Float64Array, uniform: number): number {
  let low = 0;
  let high = cdf.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((cdf[middle] ?? Number.POSITIVE_INFINITY) < uniform) low = middle + 1;
    else high = middle;
  }
  return low + 1;
}

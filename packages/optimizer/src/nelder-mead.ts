/** Bounds of a {@link minimize} run. */
export interface NelderMeadOptions {
  /** Most simplex iterations. Default 4000. */
  readonly maxIterations?: number;
  /**
   * Most objective evaluations, the start simplex's included: an iteration that could exceed it
   * (a reflection, an expansion or contraction, and a shrink of every other vertex) is not started.
   * Default unbounded.
   */
  readonly maxEvaluations?: number;
  /**
   * The start simplex's step along each axis. Default 10% of the start value plus 0.05 (0.1 from
   * 0). A larger step looks past the small steps of an objective that is piecewise constant at
   * fine scales (medians of a deterministic simulation).
   */
  readonly initialStep?: number;
}

/** A point of the simplex and the objective there. */
interface Vertex {
  readonly point: number[];
  readonly score: number;
}

/** The outcome of a {@link minimize} run. */
export interface NelderMeadResult {
  /** The best point found. */
  readonly x: number[];
  /** The objective at `x`. */
  readonly value: number;
  /** Objective evaluations made. */
  readonly evaluations: number;
  /** Simplex iterations made. */
  readonly iterations: number;
  /** True when the simplex's scores agreed to 1e-12 (relative); false when a bound stopped the run. */
  readonly converged: boolean;
}

/**
 * Minimizes `objective` over R^n with the Nelder–Mead simplex method (reflection 1, expansion 2,
 * contraction 1/2, shrink 1/2). Deterministic: the start simplex steps each axis by 10% of the
 * start value plus 0.05 (0.1 from 0), and ties keep their order. Stops when the simplex's best and
 * worst scores agree to 1e-12 (relative) or at a bound. Good for smooth fits of a few parameters;
 * fit positive parameters in log space.
 */
export function minimize(
  objective: (x: number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const maxIterations = options.maxIterations ?? 4000;
  const maxEvaluations = options.maxEvaluations ?? Number.POSITIVE_INFINITY;
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    return objective(x);
  };
  const starts = [
    [...start],
    ...start.map((_, axis) =>
      start.map((value, index) =>
        index === axis
          ? value + (options.initialStep ?? (value === 0 ? 0.1 : 0.1 * Math.abs(value) + 0.05))
          : value,
      ),
    ),
  ];
  // The simplex's n + 1 vertices, best first once sorted (a stable sort: ties keep their order).
  let simplex: Vertex[] = starts.map((point) => ({ point, score: evaluate(point) }));
  let iteration = 0;
  let converged = false;
  for (; iteration < maxIterations; iteration++) {
    simplex.sort((a, b) => a.score - b.score);
    const first = simplex[0];
    const last = simplex[n];
    if (first === undefined || last === undefined) break;
    const best = first.score;
    const worst = last.score;
    if (Math.abs(worst - best) < 1e-12 * (1 + Math.abs(best))) {
      converged = true;
      break;
    }
    if (evaluations + n + 2 > maxEvaluations) break;
    const centroid = new Array(n)
      .fill(0)
      .map((_, axis) => simplex.slice(0, n).reduce((sum, { point }) => sum + (point[axis] ?? 0), 0) / n);
    const along = (factor: number) =>
      centroid.map((value, axis) => value + factor * ((last.point[axis] ?? 0) - value));
    const reflected = along(-1);
    const reflectedScore = evaluate(reflected);
    if (reflectedScore < best) {
      const expanded = along(-2);
      const expandedScore = evaluate(expanded);
      simplex[n] =
        expandedScore < reflectedScore
          ? { point: expanded, score: expandedScore }
          : { point: reflected, score: reflectedScore };
    } else if (reflectedScore < (simplex[n - 1]?.score ?? Number.NaN)) {
      simplex[n] = { point: reflected, score: reflectedScore };
    } else {
      const contracted = along(0.5);
      const contractedScore = evaluate(contracted);
      if (contractedScore < worst) {
        simplex[n] = { point: contracted, score: contractedScore };
      } else {
        const bestPoint = first.point;
        const shrunk = simplex.map(({ point }, index) =>
          index === 0
            ? point
            : point.map((value, axis) => {
                const toward = bestPoint[axis] ?? 0;
                return toward + 0.5 * (value - toward);
              }),
        );
        // The best vertex is kept: only the others are evaluated again.
        simplex = shrunk.map((point, index) => ({
          point,
          score: index === 0 ? first.score : evaluate(point),
        }));
      }
    }
  }
  const value = Math.min(...simplex.map(({ score }) => score));
  const bestVertex = simplex.find(({ score }) => score === value) ?? simplex[0];
  return { x: bestVertex?.point ?? [...start], value, evaluations, iterations: iteration, converged };
}

/**
 * Minimizes `objective` over R^n with the Nelder–Mead simplex method and returns the best point
 * (see {@link minimize}; `iterations` bounds the simplex iterations).
 */
export function nelderMead(objective: (x: number[]) => number, start: number[], iterations = 4000): number[] {
  return minimize(objective, start, { maxIterations: iterations }).x;
}

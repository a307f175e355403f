/**
 * Minimizes `objective` over R^n with the Nelder–Mead simplex method (deterministic: the start
 * simplex is a fixed 10% step on each axis). Good enough for the few-parameter smooth fits here.
 */
export function nelderMead(objective: (x: number[]) => number, start: number[], iterations = 4000): number[] {
  const n = start.length;
  let simplex = [
    start,
    ...start.map((_, axis) =>
      start.map((value, index) =>
        index === axis ? value + (value === 0 ? 0.1 : 0.1 * Math.abs(value) + 0.05) : value,
      ),
    ),
  ];
  let scores = simplex.map(objective);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const order = scores.map((_, index) => index).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
    simplex = order.map((index) => simplex[index] as number[]);
    scores = order.map((index) => scores[index] as number);
    const best = scores[0] as number;
    const worst = scores[n] as number;
    if (Math.abs(worst - best) < 1e-12 * (1 + Math.abs(best))) break;
    const centroid = new Array(n)
      .fill(0)
      .map((_, axis) => simplex.slice(0, n).reduce((sum, point) => sum + (point[axis] as number), 0) / n);
    const along = (factor: number) =>
      centroid.map((value, axis) => value + factor * (((simplex[n] as number[])[axis] as number) - value));
    const reflected = along(-1);
    const reflectedScore = objective(reflected);
    if (reflectedScore < best) {
      const expanded = along(-2);
      const expandedScore = objective(expanded);
      [simplex[n], scores[n]] =
        expandedScore < reflectedScore ? [expanded, expandedScore] : [reflected, reflectedScore];
    } else if (reflectedScore < (scores[n - 1] as number)) {
      [simplex[n], scores[n]] = [reflected, reflectedScore];
    } else {
      const contracted = along(0.5);
      const contractedScore = objective(contracted);
      if (contractedScore < worst) {
        [simplex[n], scores[n]] = [contracted, contractedScore];
      } else {
        const bestPoint = simplex[0] as number[];
        simplex = simplex.map((point, index) =>
          index === 0
            ? point
            : point.map(
                (value, axis) => (bestPoint[axis] as number) + 0.5 * (value - (bestPoint[axis] as number)),
              ),
        );
        scores = simplex.map(objective);
      }
    }
  }
  const bestIndex = scores.indexOf(Math.min(...scores));
  return simplex[bestIndex] as number[];
}

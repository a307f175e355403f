import { minimize, nelderMead } from '@sim/optimizer';
import { describe, expect, it } from 'vitest';

const rosenbrock = ([x = 0, y = 0]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

describe('Nelder–Mead', () => {
  it('finds the minimum of the Rosenbrock valley from the classic start (-1.2, 1)', () => {
    const result = minimize(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
    expect(result.value).toBeLessThan(1e-9);
  });

  it('finds the minimum of a scaled, shifted four-dimensional quadratic', () => {
    const center = [3, -2, 0.5, 10];
    const weights = [1, 10, 0.1, 4];
    const quadratic = (x: number[]) =>
      x.reduce(
        (sum, value, axis) => sum + (weights[axis] as number) * (value - (center[axis] as number)) ** 2,
        0,
      );
    const x = nelderMead(quadratic, [0, 0, 0, 0]);
    for (const [axis, value] of x.entries()) expect(value).toBeCloseTo(center[axis] as number, 4);
  });

  it('is deterministic: the same start gives the same points, evaluation for evaluation', () => {
    const trace = () => {
      const points: number[][] = [];
      const result = minimize(
        (x) => {
          points.push([...x]);
          return rosenbrock(x);
        },
        [-1.2, 1],
        { maxIterations: 200 },
      );
      return { points, result };
    };
    const first = trace();
    const second = trace();
    expect(second.points).toEqual(first.points);
    expect(second.result).toEqual(first.result);
    expect(first.result.evaluations).toBe(first.points.length);
  });

  it('never evaluates the objective more often than maxEvaluations, and says it did not converge', () => {
    let calls = 0;
    const result = minimize(
      (x) => {
        calls++;
        return rosenbrock(x);
      },
      [-1.2, 1],
      { maxEvaluations: 50 },
    );
    expect(calls).toBe(result.evaluations);
    expect(calls).toBeLessThanOrEqual(50);
    expect(calls).toBeGreaterThan(40);
    expect(result.converged).toBe(false);
    expect(result.value).toBe(rosenbrock(result.x));
  });
});

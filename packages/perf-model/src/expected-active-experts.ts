/**
 * Expected number of distinct experts that `tokens` tokens route to in one MoE layer, with each
 * token choosing `expertsPerToken` of `numExperts` experts uniformly at random:
 * E · (1 − (1 − k/E)^tokens). One token touches k experts; many tokens touch all E. A dense model
 * (numExperts 1) has its one MLP, always active. The time model (which runs one GEMM per active
 * expert) and the bytes accounting (which reads one expert's weights per active expert) both use
 * this count, so an iteration's time and its bytes stay consistent.
 */
export function expectedActiveExperts(numExperts: number, expertsPerToken: number, tokens: number): number {
  if (tokens <= 0) return 0;
  if (numExperts <= 1) return 1;
  return numExperts * (1 - (1 - expertsPerToken / numExperts) ** tokens);
}

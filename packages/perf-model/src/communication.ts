import type { LinkEfficiency } from './calibration-profile';

/**
 * Ring all-reduce of `bytes` over `participants` GPUs on a link of `bandwidthGbs` (one direction,
 * per GPU): 2(n−1) steps of latency α, and each GPU sends 2(n−1)/n of the message.
 * Returns seconds; 0 for a single participant.
 */
export function allReduceTime(
  bytes: number,
  participants: number,
  bandwidthGbs: number,
  link: LinkEfficiency,
): number {
  if (participants <= 1 || bytes <= 0) return 0;
  const steps = 2 * (participants - 1);
  const sent = (steps / participants) * bytes;
  return steps * link.latencyUs * 1e-6 + sent / (bandwidthGbs * 1e9 * link.bandwidthEfficiency);
}

/** Point-to-point transfer of `bytes` (one pipeline-stage boundary): α + bytes / bandwidth. Seconds. */
export function sendRecvTime(bytes: number, bandwidthGbs: number, link: LinkEfficiency): number {
  if (bytes <= 0) return 0;
  return link.latencyUs * 1e-6 + bytes / (bandwidthGbs * 1e9 * link.bandwidthEfficiency);
}

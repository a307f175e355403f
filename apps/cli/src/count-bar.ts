import { Presets, SingleBar } from 'cli-progress';
import type { Io } from './io';

/** A "done of total" progress bar on stderr, only on an interactive terminal and for more than one item. */
export function startCountBar(io: Io, total: number, label: string): SingleBar | undefined {
  if (!io.stderrIsTty || total <= 1) return undefined;
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total} | {eta}s left`, stream: process.stderr },
    Presets.legacy,
  );
  bar.start(total, 0);
  return bar;
}

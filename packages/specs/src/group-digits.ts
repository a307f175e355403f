/**
 * An integer with en-US digit grouping ("119,216"), as `toLocaleString('en-US')` writes it, without
 * Intl: Intl's first use loads locale data (~30 ms in Node, more in a browser worker), and every
 * run prints such counts (the memory plan's verdict).
 */
export function groupDigits(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

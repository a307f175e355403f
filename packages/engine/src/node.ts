/**
 * `@sim/engine/node`: everything `@sim/engine` exports, plus what only Node (or Deno, Bun) can do:
 * read config files from disk. Files that configs name (traces, empirical lengths, calibration
 * profiles) are read by the main entry as well, through the platform's file reader.
 */

export { nodeFileReader } from '@sim/specs/node';
export * from './index';
export { loadConfigFile } from './load-config';

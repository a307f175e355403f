import { platformFileReader } from '#file-system';
import type { ConfigIssue } from './errors';

/**
 * How llm-sim reads the files a config names (`workloadSpec.traceFile`, an empirical
 * `lengthDistribution.file`, `calibrationFile`). Under Node, Deno and Bun the default reads the
 * file system; in a browser or a Web Worker there is none until you set one, e.g.
 * `setFileReader(memoryFileReader({ 'trace.csv': csvText }))`.
 */
export interface FileReader {
  /** Whether `path` names a readable file. */
  exists(path: string): boolean;
  /** The whole file as UTF-8 text. Throws when it cannot be read. */
  readText(path: string): string;
  /** At most the first `bytes` bytes as text (a trace's header). Optional: `readText` is used without it. */
  readHead?(path: string, bytes: number): string;
  /**
   * A stamp that changes whenever the file does (Node: size and modification time), so parsed
   * traces can be cached; undefined when unknown (nothing is cached).
   */
  stamp?(path: string): string | undefined;
}

let current: FileReader | undefined = platformFileReader;

/** The reader llm-sim uses now: the one set last, else the platform's; undefined without file access. */
export function getFileReader(): FileReader | undefined {
  return current;
}

/**
 * Sets how llm-sim reads the files configs name, for every later run: a reader, `null` for no file
 * access at all (a config that names a file is then a ConfigError), or nothing to go back to the
 * platform's default (the file system under Node, Deno and Bun; none in a browser). Returns the
 * reader it replaces.
 */
export function setFileReader(reader?: FileReader | null): FileReader | undefined {
  const previous = current;
  current = reader === null ? undefined : (reader ?? platformFileReader);
  return previous;
}

let memoryReaders = 0;

/**
 * A reader over files given as text, keyed by the path a config names: how a browser, a Web
 * Worker or a test gives llm-sim a trace or calibration profile. The texts are copied, so the
 * reader's files never change.
 */
export function memoryFileReader(
  files: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): FileReader {
  const texts = new Map(files instanceof Map ? files : Object.entries(files));
  const id = `memory ${++memoryReaders}`;
  const text = (path: string) => {
    const value = texts.get(path);
    if (value === undefined) throw new Error(`no file "${path}" was given to memoryFileReader`);
    return value;
  };
  return {
    exists: (path) => texts.has(path),
    readText: text,
    readHead: (path, bytes) => text(path).slice(0, bytes),
    stamp: (path) => (texts.has(path) ? id : undefined),
  };
}

/** The issue reported for a file named at `field` when this runtime has no file reader. */
export function noFileAccessIssue(path: string, field: string): ConfigIssue {
  return {
    code: 'no_file_access',
    path: field,
    message: `cannot read "${path}": there is no file reader here (a browser or Web Worker has no file system). Run under Node or Deno, or give llm-sim the file's text first: setFileReader(memoryFileReader({ ${JSON.stringify(path)}: text })), both exported by @sim/engine and @sim/specs.`,
  };
}

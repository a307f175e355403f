import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from './input-error';

/** What an output file holds, and how to recognise one llm-sim wrote earlier (from its first 64 KiB). */
export interface OutputKind {
  /** E.g. "Chrome trace", "request CSV". */
  readonly description: string;
  readonly wroteIt: (head: string) => boolean;
}

/** A file a command is about to write, with the flag that named it. */
export interface OutputFile {
  readonly flag: string;
  readonly file: string;
  readonly kind: OutputKind;
}

/** Marks a Chrome trace as llm-sim's (other tools' traces also start with "traceEvents"). */
export const CHROME_TRACE_MARK = { generator: 'llm-sim' } as const;

export const CHROME_TRACE: OutputKind = {
  description: 'Chrome trace',
  wroteIt: (head) => /^\s*\{\s*"otherData"\s*:\s*\{\s*"generator"\s*:\s*"llm-sim"/.test(head),
};

export const HTML_REPORT: OutputKind = {
  description: 'HTML report',
  wroteIt: (head) =>
    /^<!doctype html>/i.test(head) && /<meta name="generator" content="llm-sim">|<title>llm-sim/.test(head),
};

/** A CSV kind recognised by its header line. */
export function csvKind(description: string, isHeader: (header: string) => boolean): OutputKind {
  return { description, wroteIt: (head) => isHeader(head.split(/\r?\n/)[0] ?? '') };
}

function head(file: string): string {
  const descriptor = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    return buffer.toString('utf8', 0, readSync(descriptor, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Refuses, before anything runs, to write over a file the command reads (a config, a trace), over
 * another output of the same command, or over an existing file that is not one llm-sim wrote
 * (an empty file is fine). Throws an InputError (exit code 2) naming the flag.
 */
export function checkOutputFiles(
  outputs: readonly OutputFile[],
  inputs: readonly { readonly what: string; readonly file: string }[],
): void {
  const seen = new Map<string, string>();
  for (const { flag, file, kind } of outputs) {
    const path = resolve(file);
    const input = inputs.find((item) => resolve(item.file) === path);
    if (input !== undefined)
      throw new InputError(
        `${flag} ${file} is also the ${input.what} this command reads; writing it would destroy it. Choose another file name.`,
      );
    const other = seen.get(path);
    if (other !== undefined)
      throw new InputError(`${flag} ${file}: ${other} writes the same file. Choose another file name.`);
    seen.set(path, flag);
    if (!existsSync(dirname(path)))
      throw new InputError(`${flag} ${file}: the folder ${dirname(path)} does not exist; create it first.`);
    if (!existsSync(path)) continue;
    const stats = statSync(path);
    if (stats.isDirectory()) throw new InputError(`${flag} ${file} is a directory; give a file name.`);
    // Pipes and devices (/dev/stdout, >(gzip > x.gz)) are streams, not files to protect.
    if (!stats.isFile()) continue;
    const start = head(path);
    if (start.trim() === '' || kind.wroteIt(start)) continue;
    const firstLine = (start.split(/\r?\n/)[0] ?? '').slice(0, 60);
    throw new InputError(
      `${flag} ${file}: the file exists and is not a ${kind.description} that llm-sim wrote (it starts with "${firstLine}"); refusing to overwrite it. Choose another file name, or delete the file first.`,
    );
  }
}

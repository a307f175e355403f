import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCli, REPOSITORY_ROOT, requireBinary, shell } from './capture-cli';

/**
 * The READMEs' command lines still parse and run, and the output they document is printed.
 *
 * Every `pnpm sim ...` and `pnpm example ...` command in a fenced code block of README.md and
 * apps/cli/README.md runs as written, with two substitutions: `pnpm [-s] [-w] sim` becomes the
 * built binary (the same program without the build step; launch-directory.test.ts runs
 * `pnpm -s sim` itself), and `plan` gets `--requests 25` so the searches stay short. Commands run
 * in a scratch folder that links `examples/` and `data/` (the committed traces), so outputs land
 * there. Under a `$ command` line of a text block, the documented output's cells must appear in
 * the real output with their numbers generalized (numbers shift with the engine; labels,
 * annotations and notes must not). A command piping into jq is skipped, visibly, when jq is not
 * installed.
 */

interface DocumentedCommand {
  /** README the command is in. */
  readonly source: string;
  /** As written (continuations joined, comment removed). */
  readonly command: string;
  /** Output lines documented under it (text blocks). */
  readonly output: readonly string[];
}

const READMES = ['README.md', 'apps/cli/README.md'];
const RUNNABLE = /^pnpm(?:\s+(?:-s|-w|--silent|--workspace-root))*\s+(sim|example)\b/;
const hasJq = spawnSync('bash', ['-c', 'command -v jq']).status === 0;

/** Removes a trailing `# comment` (outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const character = line[index] as string;
    if (quote !== undefined) {
      if (character === quote) quote = undefined;
    } else if (character === "'" || character === '"') quote = character;
    else if (character === '#' && (index === 0 || /\s/.test(line[index - 1] as string)))
      return line.slice(0, index).trimEnd();
  }
  return line.trimEnd();
}

/** The runnable commands of a README, with the output documented under each. */
function documentedCommands(source: string): DocumentedCommand[] {
  const text = readFileSync(resolve(REPOSITORY_ROOT, source), 'utf8');
  const commands: DocumentedCommand[] = [];
  for (const block of text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const language = block[1] as string;
    if (!['bash', 'sh', 'text', ''].includes(language)) continue;
    const lines = (block[2] as string).split('\n');
    for (let index = 0; index < lines.length; index++) {
      let line = lines[index] as string;
      const prompted = line.startsWith('$ ');
      if (language === 'text' && !prompted) continue;
      if (prompted) line = line.slice(2);
      while (line.endsWith('\\') && index + 1 < lines.length)
        line = `${line.slice(0, -1).trimEnd()} ${(lines[++index] as string).trim()}`;
      const output: string[] = [];
      if (prompted)
        for (let next = index + 1; next < lines.length; next++) {
          const outputLine = lines[next] as string;
          if (outputLine.startsWith('$ ') || outputLine.trim() === '') break;
          output.push(outputLine);
        }
      for (const part of stripComment(line).split(/\s+&&\s+/))
        if (RUNNABLE.test(part.trim())) commands.push({ source, command: part.trim(), output });
    }
  }
  return commands;
}

/** A regex source matching `text` with every number generalized. */
function generalized(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+(\\\.\d+)?/g, '[\\d.,]+(e[-+]?\\d+)?');
}

/** The documented cells of an output line that the real output must contain. */
function expectedCells(line: string): string[] {
  if (/^[\s┌┐└┘├┤┬┴┼─│]*$/.test(line) || line.trim() === '...') return [];
  return line
    .split(/│|\s{2,}/)
    .map((cell) => cell.trim())
    .filter((cell) => cell.length > 1 && cell !== '...')
    .map((cell) => {
      // "Label: value → ...": only what precedes the elision is documented as printed.
      const elided = cell.endsWith('...');
      const colon = cell.indexOf(':');
      return elided && colon > 0 ? cell.slice(0, colon + 1) : cell.replace(/\s*(→\s*)?\.\.\.$/, '');
    });
}

/** How the test runs a documented command: the shell command and the folder. */
function invocation(command: string, sandbox: string): { line: string; cwd: string } {
  const match = RUNNABLE.exec(command) as RegExpExecArray;
  const rest = command.slice(match[0].length);
  if (match[1] === 'example') return { line: `pnpm -s example${rest}`, cwd: REPOSITORY_ROOT };
  const [program, ...pipeline] = rest.split(/\s\|\s/);
  const shrink = /^\s*plan\b/.test(program as string) ? ' --requests 25' : '';
  return {
    line: [`node "${requireBinary()}"${program}${shrink}`, ...pipeline].join(' | '),
    cwd: sandbox,
  };
}

const commands = READMES.flatMap(documentedCommands);
// The same command documented twice (a one-liner and its output) runs once, keeping its output.
const unique = [
  ...new Map(
    commands
      .map((command) => [command.command, command] as const)
      .sort(([, a], [, b]) => a.output.length - b.output.length),
  ).values(),
];

describe('README command lines', () => {
  it('finds the documented commands', () => {
    expect(commands.filter((command) => command.source === 'README.md').length).toBeGreaterThan(10);
    expect(commands.filter((command) => command.source === 'apps/cli/README.md').length).toBeGreaterThan(2);
    for (const name of ['run', 'sweep', 'compare', 'plan', 'validate', 'presets'])
      expect(
        unique.some((command) => new RegExp(`\\bsim ${name}\\b`).test(command.command)),
        name,
      ).toBe(true);
  });

  const base = mkdtempSync(join(tmpdir(), 'llm-sim-readme-'));
  const sandbox = join(base, 'repository');
  mkdirSync(sandbox);
  symlinkSync(join(REPOSITORY_ROOT, 'examples'), join(sandbox, 'examples'));
  symlinkSync(join(REPOSITORY_ROOT, 'data'), join(sandbox, 'data'));

  for (const documented of unique) {
    const skip = /\|\s*jq\b/.test(documented.command) && !hasJq;
    const why = skip ? ' (skipped: no jq)' : '';
    it.skipIf(skip)(
      `${documented.source}: ${documented.command}${why}`,
      () => {
        const { line, cwd } = invocation(documented.command, sandbox);
        const { code, stdout, stderr } = shell(line, cwd);
        expect(code, `${line}\n${stderr}`).toBe(0);
        expect(stdout.trim(), line).not.toBe('');
        if (/--json\b/.test(documented.command) && !line.includes(' | ')) JSON.parse(stdout);
        const printed = `${stdout}\n${stderr}`;
        for (const outputLine of documented.output)
          for (const cell of expectedCells(outputLine))
            expect(
              new RegExp(generalized(cell)).test(printed),
              `documented "${cell}" is not printed by: ${line}`,
            ).toBe(true);
      },
      120_000,
    );
  }
});

describe('apps/cli/README.md synopsis', () => {
  const text = readFileSync(resolve(REPOSITORY_ROOT, 'apps/cli/README.md'), 'utf8').replaceAll(/\n\s+/g, ' ');
  const synopses = [...text.matchAll(/`llm-sim (\w+) ([^`]*)`/g)];
  it('names every command, and only flags each command has', async () => {
    expect(new Set(synopses.map((synopsis) => synopsis[1]))).toEqual(
      new Set(['run', 'sweep', 'compare', 'plan', 'calibrate', 'validate', 'presets']),
    );
    for (const [, command, usage] of synopses) {
      const { stdout } = await captureCli(command as string, '--help');
      for (const flag of (usage as string).match(/--[\w-]+/g) ?? [])
        expect(stdout, `${command} ${flag}`).toMatch(new RegExp(`${flag}\\b`));
    }
  });
});

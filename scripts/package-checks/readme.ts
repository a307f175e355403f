import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from './process';

/** The start of a published package's README: how to install it and a minimal example. */
export interface ReadmeExample {
  /** The packages its `npm install` line names. */
  readonly install: readonly string[];
  /** `ts`: a TypeScript module; `bash`: shell commands. */
  readonly language: 'ts' | 'bash';
  readonly code: string;
}

/**
 * Reads the README of `name` in `dir`, which must start with `# name`, and, before its first
 * `##` heading, have as its first fenced block a single `npm install ...` line (bash or sh) and as
 * its second the example (ts, or bash/sh for a command-line package). The example is what the
 * package check runs, verbatim, against the installed tarballs.
 */
export function readmeExample(name: string, dir: string): ReadmeExample {
  const file = join(dir, 'README.md');
  const text = readFileSync(file, 'utf8');
  check(text.startsWith(`# ${name}\n`), `${file}: must start with "# ${name}"`);
  const head = text.split(/\n## /)[0] ?? '';
  const blocks = [...head.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
    language: match[1] ?? '',
    code: match[2] ?? '',
  }));
  const [install, example] = blocks;
  const usage = `${file}: must start (before its first "##" heading) with an install block (\`\`\`bash\\nnpm install ${name}\\n\`\`\`) and then a minimal example (\`\`\`ts, or \`\`\`bash for a command)`;
  check(install !== undefined && example !== undefined, usage);
  check(['bash', 'sh'].includes(install.language), `${usage}; its first block is \`\`\`${install.language}`);
  const line = install.code.trim();
  check(/^npm install( [@\w./-]+)+$/.test(line), `${usage}; its install block is "${line}"`);
  const packages = line.split(' ').slice(2);
  check(packages.includes(name), `${file}: the install line does not name ${name}: "${line}"`);
  const language = example.language === 'sh' ? 'bash' : example.language;
  check(language === 'ts' || language === 'bash', `${usage}; its example is \`\`\`${example.language}`);
  return { install: packages, language, code: example.code };
}

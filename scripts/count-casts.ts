/**
 * `pnpm casts`: counts type assertions (`x as T`, `<T>x`; not `as const`) in the non-test source of
 * every package, with the TypeScript parser. `--list` prints each one; `--max N` exits 1 above N.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const folders = ['packages', 'apps'].flatMap((top) =>
  readdirSync(join(root, top)).map((name) => join(root, top, name, 'src')),
);

function sourceFiles(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const casts: string[] = [];
for (const file of folders.flatMap(sourceFiles)) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      const type = node.type;
      const isConst = ts.isTypeReferenceNode(type) && type.typeName.getText(source) === 'const';
      if (!isConst) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        casts.push(
          `${relative(root, file)}:${line + 1}: ${node.getText(source).replace(/\s+/g, ' ').slice(0, 100)}`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
if (process.argv.includes('--list')) for (const cast of casts) console.log(cast);
const byFile = new Map<string, number>();
for (const cast of casts) {
  const file = cast.slice(0, cast.indexOf(':'));
  byFile.set(file, (byFile.get(file) ?? 0) + 1);
}
if (!process.argv.includes('--list'))
  for (const [file, count] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`${String(count).padStart(4)} ${file}`);
console.log(`${casts.length} type assertions in non-test source`);
const maxIndex = process.argv.indexOf('--max');
if (maxIndex >= 0 && casts.length > Number(process.argv[maxIndex + 1])) process.exit(1);

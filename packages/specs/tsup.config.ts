import { defineConfig } from 'tsup';

export default defineConfig({
  // `#file-system` stays an import in dist/index.js, so each runtime resolves it through the
  // package.json `imports` conditions: `node` gets dist/platform/node.js, the rest (browsers,
  // workers) dist/platform/default.js.
  entry: ['src/index.ts', 'src/node.ts', 'src/platform/node.ts', 'src/platform/default.ts'],
  external: ['#file-system'],
  format: ['esm'],
  target: 'node20',
  dts: true,
  clean: true,
  sourcemap: true,
});

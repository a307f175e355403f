import { defineConfig } from 'vite';

/**
 * Scripts are written in ASCII (other characters escaped): one character outside Latin-1 (a `≤` in a
 * message) makes the browser hold the whole 300 KB worker source as a two-byte string, slower to
 * decode and to scan on the worker's critical path.
 */
const output = { charset: 'ascii' } as const;

/**
 * The playground builds from the sibling packages' TypeScript source (the `@sim/source` export
 * condition), so `vite build` needs no build of them first, and writes a static site with relative
 * URLs (`base: './'`): it works from any static host or file server, offline (nothing from a CDN).
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@sim/source', 'module', 'browser', 'development|production'] },
  worker: { format: 'es', rolldownOptions: { output } },
  build: {
    outDir: 'dist',
    target: 'es2022',
    reportCompressedSize: false,
    rolldownOptions: { output },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});

import { defineConfig } from 'vite';

/**
 * The playground builds from the sibling packages' TypeScript source (the `@sim/source` export
 * condition), so `vite build` needs no build of them first, and writes a static site with relative
 * URLs (`base: './'`): it works from any static host or file server, offline (nothing from a CDN).
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@sim/source', 'module', 'browser', 'development|production'] },
  worker: { format: 'es' },
  build: { outDir: 'dist', target: 'es2022', reportCompressedSize: false },
  server: { port: 5173 },
  preview: { port: 4173 },
});

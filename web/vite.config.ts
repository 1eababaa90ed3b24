// Vite config for the Lifeline browser app. Paths are resolved from this file, so the config works
// both from the project root (`vite build --config web/vite.config.ts`, or the backend calling
// `vite.build({ configFile: 'web/vite.config.ts' })`) and from inside web/.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = dirname(fileURLToPath(import.meta.url));
const backend = process.env.LIFELINE_API ?? 'http://127.0.0.1:8080';

export default defineConfig(({ command, mode }) => {
  // A production build stays one even when the building process runs with another NODE_ENV, as
  // when a vitest run starts the platform and it builds web/dist: otherwise React's development
  // build (and jsxDEV calls) would land in web/dist.
  const production = command === 'build' && mode === 'production';
  return {
    root: webRoot,
    base: '/',
    plugins: [react()],
    define: production ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
    esbuild: production ? { jsxDev: false } : {},
    build: {
      outDir: resolve(webRoot, 'dist'),
      emptyOutDir: true,
      // maplibre-gl is ~1 MB minified; one chunk is fine for a single-page control room app.
      chunkSizeWarningLimit: 2000,
    },
    server: {
      proxy: {
        // xfwd: the backend sees the page's host as X-Forwarded-Host, which its cross-origin check accepts.
        '/api': { target: backend, ws: true, changeOrigin: true, xfwd: true },
      },
    },
  };
});

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vitest/config';

const outDir = 'dist';

// cleanDist empties dist/ except .gitkeep. Vite's own emptyOutDir would delete
// the committed .gitkeep, and main.go embeds frontend/dist, so the folder must
// exist in a fresh clone before anyone has built the frontend.
function cleanDist(): Plugin {
  return {
    name: 'lull-clean-dist',
    apply: 'build',
    buildStart() {
      let entries: string[] = [];
      try {
        entries = readdirSync(outDir);
      } catch {
        return;
      }
      for (const name of entries) {
        if (name !== '.gitkeep') rmSync(join(outDir, name), { recursive: true, force: true });
      }
    },
  };
}

export default defineConfig({
  plugins: [svelte(), cleanDist()],
  // Wails serves dist/ from an embedded FS at the root; relative asset URLs
  // also work when the preview script serves it from a plain HTTP server.
  base: './',
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});

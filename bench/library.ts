// Which code the benches measure. `npm run bench` runs under tsx, and tsx compiles every file
// with esbuild's `keepNames`, which wraps each function expression in a `__name(fn, "…")` call
// (an `Object.defineProperty` per closure created). The in-memory store builds its repositories
// as closures once per unit of work, so under tsx an empty transaction costs ~6 µs instead of
// ~0.2 µs: the numbers would describe tsx, not the library. So by default the benches compile
// the current src/ the way it ships (tsup, ESM, no keepNames) into node_modules/.cache and
// import that; `--target=dist` uses an existing `npm run build`, `--target=src` the tsx sources.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as KitModule from '../src/index.js';
import type * as MemoryModule from '../src/memory.js';

/** `build`: fresh tsup build of src/ (default); `dist`: the existing build; `src`: via tsx. */
export type Target = 'build' | 'dist' | 'src';

export const TARGETS: readonly Target[] = ['build', 'dist', 'src'];

/** The library's public entry points, as loaded for a run. */
export interface Library {
  /** `workspace-kit` */
  readonly kit: typeof KitModule;
  /** `workspace-kit/memory` */
  readonly memory: typeof MemoryModule;
  readonly target: Target;
  /** One line saying what was loaded, for the report. */
  readonly description: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'workspace-kit-bench');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function importPair(dir: string, ext: string): Promise<Pick<Library, 'kit' | 'memory'>> {
  const kit = (await import(pathToFileURL(join(dir, `index${ext}`)).href)) as typeof KitModule;
  const memory = (await import(pathToFileURL(join(dir, `memory${ext}`)).href)) as typeof MemoryModule;
  return { kit, memory };
}

/** Loads the library for `target`, building it first for `build`. */
export async function loadLibrary(target: Target): Promise<Library> {
  if (target === 'src') {
    return {
      ...(await importPair(join(ROOT, 'src'), '.ts')),
      target,
      description: 'src/ through tsx (esbuild keepNames: every closure pays a __name call; absolute numbers inflated)',
    };
  }
  if (target === 'dist') {
    const dist = join(ROOT, 'dist');
    const stale = newestMtime(join(ROOT, 'src')) > statSync(join(dist, 'index.js')).mtimeMs;
    return {
      ...(await importPair(dist, '.js')),
      target,
      description: `dist/ from the last \`npm run build\`${stale ? ' — STALE: src/ changed since' : ''}`,
    };
  }
  // tsup is a dev dependency; load it only when building.
  const { build } = await import('tsup');
  const started = performance.now();
  await build({
    config: false,
    entry: { index: join(ROOT, 'src/index.ts'), memory: join(ROOT, 'src/memory.ts') },
    outDir: CACHE,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    treeshake: true,
    clean: true,
    dts: false,
    sourcemap: false,
    silent: true,
  });
  const ms = performance.now() - started;
  return {
    ...(await importPair(CACHE, '.js')),
    target,
    description: `src/ built now with tsup like the package (ESM, node20) into node_modules/.cache in ${(ms / 1000).toFixed(1)} s`,
  };
}

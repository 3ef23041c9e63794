// The Kysely adapter (`workspace-kit/kysely`) for the SQL benches, loaded the same way as the
// rest of the library for the chosen target (see library.ts): `build` compiles src/kysely.ts
// now with tsup (ESM, node20, no keepNames; kysely stays external) into node_modules/.cache,
// `dist` imports the last `npm run build`, `src` goes through tsx. The adapter only implements
// the `Store` port, so it does not need to share a module instance with the kit.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as KyselyModule from '../src/kysely.js';
import type { Target } from './library.js';

export type KyselyAdapterModule = typeof KyselyModule;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'workspace-kit-bench-kysely');

export async function loadKyselyAdapter(target: Target): Promise<{ readonly adapter: KyselyAdapterModule; readonly description: string }> {
  const load = async (file: string) => (await import(pathToFileURL(file).href)) as KyselyAdapterModule;
  if (target === 'src') return { adapter: await load(join(ROOT, 'src', 'kysely.ts')), description: 'src/kysely.ts through tsx' };
  if (target === 'dist') return { adapter: await load(join(ROOT, 'dist', 'kysely.js')), description: 'dist/kysely.js' };
  const { build } = await import('tsup');
  const started = performance.now();
  await build({
    config: false,
    entry: { kysely: join(ROOT, 'src/kysely.ts') },
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
    external: ['kysely'],
  });
  return {
    adapter: await load(join(CACHE, 'kysely.js')),
    description: `src/kysely.ts built now with tsup in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  };
}

/**
 * STORE-1: the core is storage-agnostic. Only the Kysely adapter (src/adapters/kysely) and its
 * entry (src/kysely.ts) import `kysely`; nothing in src imports a database driver (the host
 * brings `pg` or `better-sqlite3` and hands the adapter a Kysely instance); the main entry
 * does not re-export the adapter, so `workspace-kit` works without kysely installed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The module specifiers a file imports or re-exports (comments, where examples live, left out). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1]!,
  );
}

describe('module boundaries of the Kysely adapter', () => {
  const files = sources(SRC).map((f) => ({ path: relative(SRC, f).split('\\').join('/'), imports: importsOf(f) }));

  it('STORE-1 only src/adapters/kysely and src/kysely.ts import kysely', () => {
    const importers = files.filter((f) => f.imports.some((i) => i === 'kysely' || i.startsWith('kysely/'))).map((f) => f.path);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((p) => !p.startsWith('adapters/kysely/') && p !== 'kysely.ts')).toEqual([]);
  });

  it('STORE-1 no source file imports a database driver', () => {
    const drivers = files.filter((f) => f.imports.some((i) => ['pg', 'better-sqlite3', 'pg-pool'].includes(i))).map((f) => f.path);
    expect(drivers).toEqual([]);
  });

  it('STORE-1 the core reaches the adapter through no import: nothing outside it imports its files', () => {
    const inward = files
      .filter((f) => !f.path.startsWith('adapters/kysely/') && f.path !== 'kysely.ts')
      .filter((f) => f.imports.some((i) => i.includes('adapters/kysely') || /(^|\/)kysely\.js$/.test(i)))
      .map((f) => f.path);
    expect(inward).toEqual([]);
  });
});

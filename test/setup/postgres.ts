/**
 * Vitest global setup: a throwaway PostgreSQL server for the SQL adapter tests, so that the
 * README's one test command needs no service started by hand.
 *
 * - If WORKSPACE_KIT_TEST_PG_URL is set, that server is used and nothing is started.
 * - Otherwise: initdb into a temporary directory (as the `postgres` user when running as root,
 *   since the server refuses to run as root), start it on a free loopback port, export the URL,
 *   and stop and remove it when the run ends.
 * - If no server can be started, setup throws: the PostgreSQL tests fail loudly, never skip.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const URL_VAR = 'WORKSPACE_KIT_TEST_PG_URL';

function which(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** pg_ctl from the PATH; initdb beside the file pg_ctl links to (Debian keeps it off the PATH). */
function findBinaries(): { pgCtl: string; initdb: string } {
  const pgCtl = which('pg_ctl');
  if (!pgCtl) throw new Error(`PostgreSQL tests need pg_ctl on the PATH (or ${URL_VAR} pointing at a server)`);
  const initdb = join(dirname(realpathSync(pgCtl)), 'initdb');
  return { pgCtl, initdb };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

const PREFIX = 'workspace-kit-pg-';
const OWNER_FILE = 'owner.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops and removes servers left behind by earlier runs that were killed before their
 * teardown ran (a timeout, Ctrl-C): each directory records the test runner's pid.
 */
function reapOrphans(stop: (data: string) => void): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const ownerFile = join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (!Number.isInteger(owner) || owner <= 0 || alive(owner)) continue;
    try {
      if (existsSync(join(dir, 'data', 'postmaster.pid'))) stop(join(dir, 'data'));
    } catch {
      // Already gone: only the directory is left.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env[URL_VAR]) return undefined;

  const { pgCtl, initdb } = findBinaries();
  const asRoot = process.getuid?.() === 0;
  const run = (file: string, args: string[]): void => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  };

  reapOrphans((data) => run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']));
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    const serverOptions = [
      `-p ${port}`,
      `-k ${dir}`,
      `-c listen_addresses=127.0.0.1`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    run(pgCtl, ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`could not start the PostgreSQL test server: ${detail}`);
  }
  process.env[URL_VAR] = `postgres://postgres@127.0.0.1:${port}/postgres`;

  return () => {
    try {
      run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

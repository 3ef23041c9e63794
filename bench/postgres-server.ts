// The PostgreSQL server of the SQL benches: WORKSPACE_KIT_BENCH_PG_URL when set, otherwise a
// throwaway server started exactly like the tests' (test/setup/postgres.ts: initdb into a temp
// directory, as `postgres` when running as root, on a free loopback port, fsync off) and
// stopped again, also when the run fails or is interrupted.
import startTestPostgres from '../test/setup/postgres.js';

const BENCH_URL_VAR = 'WORKSPACE_KIT_BENCH_PG_URL';
const TEST_URL_VAR = 'WORKSPACE_KIT_TEST_PG_URL';

/** A server to run the benches on, and how to let go of it. */
export interface BenchPostgres {
  readonly url: string;
  /** One line for the report: which server, and its settings that matter. */
  readonly description: string;
  /** Stops the server if the bench started it; idempotent and synchronous. */
  stop(): void;
}

export async function startBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  const given = process.env[BENCH_URL_VAR];
  if (given !== undefined && given !== '') {
    return { url: given, description: `${BENCH_URL_VAR} (server settings as configured there)`, stop: () => undefined };
  }
  const reused = process.env[TEST_URL_VAR];
  const started = performance.now();
  const teardown = await startTestPostgres();
  const url = process.env[TEST_URL_VAR];
  if (url === undefined || url === '') throw new Error('bench: the PostgreSQL setup exported no URL');
  if (teardown === undefined) {
    return { url, description: `${TEST_URL_VAR} = ${reused ?? url} (an existing server; not started here)`, stop: () => undefined };
  }
  log(`  started a throwaway PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    teardown();
  };
  // The teardown is synchronous (pg_ctl stop -m immediate), so it also runs from 'exit'. On a
  // signal it runs on the next turn: tsx's parent process SIGKILLs a child that does not
  // acknowledge the signal within 30 ms, and the acknowledgement is sent from this same turn.
  function onSignal(signal: NodeJS.Signals): void {
    setImmediate(() => {
      stop();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  process.on('exit', stop);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    url,
    description: 'throwaway PostgreSQL started by the bench (test/setup/postgres.ts: fsync=off, synchronous_commit=off, full_page_writes=off, default shared_buffers)',
    stop,
  };
}

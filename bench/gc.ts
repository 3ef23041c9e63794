// A full garbage collection on demand, so one bench task does not pay for the garbage (or the
// incremental marking) another one left behind. `--expose-gc` cannot be passed through
// `tsx bench/run.ts`, so the flag is set at run time and `gc` fetched from a fresh context.
import v8 from 'node:v8';
import vm from 'node:vm';

function resolveGc(): (() => void) | undefined {
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

const gc = resolveGc();

/** Whether {@link fullGc} really collects (false: it does nothing). */
export const gcAvailable = gc !== undefined;

/** Runs a full, blocking garbage collection when the runtime allows it. */
export function fullGc(): void {
  gc?.();
}

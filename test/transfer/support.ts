/**
 * Fixtures of the transfer unit tests: a test kit on the in-memory store, plans made and carried
 * out in one call, and "refused and nothing changed" checks on the store's deep snapshot.
 */
import { expect } from 'vitest';
import type { Result } from 'neverthrow';
import type { MemoryStore } from '../../src/adapters/memory/memory-store.js';
import type { ErrorCode, WorkspaceKitError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/principal.js';
import type { TransferResult } from '../../src/kit/transfer-commands.js';
import type { KitResult } from '../../src/kit/workspace-kit.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import type { TransferPlan } from '../../src/transfer-planner/plan.js';
import { codeOf, valueOf } from '../support/harness.js';

export { valueOf } from '../support/harness.js';

export type Kit = TestKit<MemoryStore>;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A test kit on a fresh in-memory store, its clock at 2026-01-01. */
export function newKit(): Kit {
  return createTestKit();
}

/** What a transfer is about: the input of planTransfer. */
export interface TransferInput {
  readonly workspaceId: string;
  readonly targetAccountId: string;
  readonly handle?: string;
}

/** Plans a transfer as `actor` (the plan must be readable). */
export async function planAs(tk: Kit, actor: Principal, input: TransferInput): Promise<TransferPlan> {
  return valueOf(await tk.kit.planTransfer(actor, input));
}

/** The input of executeTransfer / requestTransfer carrying a plan. */
export function carrying(input: TransferInput, plan: Pick<TransferPlan, 'fingerprint' | 'plannedAt'>) {
  return { ...input, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt };
}

/** Plans and executes in one go as an actor holding both sides. */
export async function transferNow(tk: Kit, actor: Principal, input: TransferInput): Promise<TransferResult> {
  const plan = await planAs(tk, actor, input);
  return valueOf(await tk.kit.executeTransfer(actor, carrying(input, plan)));
}

/** The error code of a result, or `ok`. */
export function outcome(result: Result<unknown, WorkspaceKitError>): ErrorCode | 'ok' {
  return codeOf(result);
}

/**
 * Runs a command that must be refused with `code`, and checks it changed nothing: the whole
 * store (deep snapshot) is as before and no audit event was recorded (AUD-1). Returns the error.
 */
export async function expectRefused<T>(tk: Kit, code: ErrorCode, command: () => KitResult<T>): Promise<WorkspaceKitError> {
  const before = tk.store.snapshot();
  const events = tk.events.length;
  const result = await command();
  const detail = result.isErr() ? ` (${result.error.message})` : '';
  expect(codeOf(result), `expected ${code}${detail}`).toBe(code);
  expect(tk.store.snapshot(), 'a refused command changes nothing').toEqual(before);
  expect(tk.events.length, 'a refused command records no event').toBe(events);
  if (result.isOk()) throw new Error('unreachable');
  return result.error;
}

/** The blocker codes of a plan. */
export function blockerCodes(plan: TransferPlan): string[] {
  return plan.blockers.map((b) => b.code);
}

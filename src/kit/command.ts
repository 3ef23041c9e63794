import { err, errAsync, ok, ResultAsync, type Result } from 'neverthrow';
import type { z } from 'zod';
import type { Plan, PlanCatalog } from '../account/plans.js';
import type { AuditEvent, AuditSubject, AuditAction, JsonValue } from '../audit/audit-event.js';
import type { Clock, Timestamp } from '../core/clock.js';
import { errors, fromZodIssues, type WorkspaceKitError } from '../core/errors.js';
import type { AccountId, AuditEventId, IdGenerator, WorkspaceId } from '../core/ids.js';
import { PrincipalSchema, type Principal } from '../core/principal.js';
import type { Store, UnitOfWork } from '../ports/store.js';
import type { EventBus } from './events.js';

/** What every command needs: storage, catalog, clock, ids and the event bus. */
export interface KitContext {
  readonly store: Store;
  readonly plans: PlanCatalog;
  readonly defaultPlanId: string;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly events: EventBus;
}

/** The audit event a command asks to record, before id, actor and time are filled in. */
export interface AuditDraft {
  readonly accountId: AccountId;
  readonly workspaceId: WorkspaceId | null;
  readonly action: AuditAction;
  readonly subject: AuditSubject;
  readonly details: { readonly [k: string]: JsonValue };
}

/**
 * A successful command: its result and exactly one audit event (AUD-1) — or, for a transfer,
 * one event in each account's log (XFER-6).
 */
export interface Committed<T> {
  readonly value: T;
  readonly audit: AuditDraft | readonly [AuditDraft, AuditDraft];
}

/** Everything a command body receives. */
export interface CommandScope<I> {
  readonly tx: UnitOfWork;
  readonly actor: Principal;
  readonly input: I;
  readonly now: Timestamp;
  readonly ctx: KitContext;
}

/** The plan `planId` of the catalog, or `NOT_FOUND` (never an inherited object property). */
export function findPlan(ctx: KitContext, planId: string): Result<Plan, WorkspaceKitError> {
  const plan = Object.hasOwn(ctx.plans, planId) ? ctx.plans[planId] : undefined;
  return plan ? ok(plan) : err(errors.notFound('plan', planId));
}

function isDraftPair(audit: Committed<unknown>['audit']): audit is readonly [AuditDraft, AuditDraft] {
  return Array.isArray(audit);
}

/** Thrown inside a transaction to roll it back with a domain error; never escapes the runner. */
class Rollback extends Error {
  constructor(readonly error: WorkspaceKitError) {
    super(error.message);
    this.name = 'Rollback';
  }
}

function validate<S extends z.ZodType>(
  schema: S,
  actorRaw: unknown,
  inputRaw: unknown,
): Result<{ actor: Principal; input: z.output<S> }, WorkspaceKitError> {
  let actor: z.ZodSafeParseResult<Principal> | null;
  let input: z.ZodSafeParseResult<z.output<S>> | null;
  try {
    // Only own properties count: an object whose fields come from its prototype (a class
    // instance, an Error, Object.create(...)) is refused rather than read through.
    actor = isForeignObject(actorRaw) ? null : PrincipalSchema.safeParse(actorRaw);
    input = isForeignObject(inputRaw) ? null : schema.safeParse(inputRaw);
  } catch (error) {
    // A hostile input (a throwing getter or proxy trap) must not make a command throw.
    return err(errors.validation([{ path: [], message: `input could not be read: ${describeThrown(error)}` }]));
  }
  if (actor?.success === true && input?.success === true) return ok({ actor: actor.data, input: input.data });
  const side = (root: 'actor' | 'input', parsed: z.ZodSafeParseResult<unknown> | null) =>
    parsed === null ? [{ path: [root], message: 'must be a plain object' }] : parsed.success ? [] : fromZodIssues(root, parsed.error.issues);
  return err(errors.validation([...side('actor', actor), ...side('input', input)]));
}

/**
 * An object that is not a plain object or an array: its prototype is neither
 * `Object.prototype` nor `null` (arrays are left to the schema, which refuses them by type).
 */
function isForeignObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto !== Object.prototype && proto !== null;
}

function storageFailure(error: unknown): WorkspaceKitError {
  if (error instanceof Rollback) return error.error;
  return errors.storage(describeThrown(error));
}

/** A message for any thrown value; never throws itself, whatever was thrown. */
function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an unprintable value was thrown';
  }
}

/**
 * Runs one state-changing command: validate → one unit of work → the body → record its audit
 * event → commit → publish. A body returning `err` rolls everything back and records nothing;
 * an adapter failure becomes `STORAGE`. Never throws.
 */
export function runCommand<S extends z.ZodType, T>(
  ctx: KitContext,
  schema: S,
  actorRaw: unknown,
  inputRaw: unknown,
  body: (scope: CommandScope<z.output<S>>) => Promise<Result<Committed<T>, WorkspaceKitError>>,
): ResultAsync<T, WorkspaceKitError> {
  const parsed = validate(schema, actorRaw, inputRaw);
  if (parsed.isErr()) return errAsync(parsed.error);
  const { actor, input } = parsed.value;
  // Deferred so that an adapter throwing synchronously still yields a STORAGE error value.
  const transaction = Promise.resolve().then(() => ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now().toISOString();
    const outcome = await body({ tx, actor, input, now, ctx });
    if (outcome.isErr()) throw new Rollback(outcome.error);
    const drafts: readonly AuditDraft[] = isDraftPair(outcome.value.audit) ? outcome.value.audit : [outcome.value.audit];
    const events: AuditEvent[] = [];
    for (const draft of drafts) {
      events.push(await tx.audit.append({ id: ctx.ids.next('audit') as AuditEventId, actor, at: now, ...draft }));
    }
    return { value: outcome.value.value, events };
  }));
  return ResultAsync.fromPromise(transaction, storageFailure).map(({ value, events }: { value: T; events: AuditEvent[] }) => {
    for (const event of events) ctx.events.publish(event);
    return value;
  });
}

/** Runs a read-only query: validate → one read-only unit of work → the body. Never throws. */
export function runQuery<S extends z.ZodType, T>(
  ctx: KitContext,
  schema: S,
  actorRaw: unknown,
  inputRaw: unknown,
  body: (scope: CommandScope<z.output<S>>) => Promise<Result<T, WorkspaceKitError>>,
): ResultAsync<T, WorkspaceKitError> {
  const parsed = validate(schema, actorRaw, inputRaw);
  if (parsed.isErr()) return errAsync(parsed.error);
  const { actor, input } = parsed.value;
  const transaction = Promise.resolve().then(() =>
    ctx.store.transaction(
      async (tx) => {
        const outcome = await body({ tx, actor, input, now: ctx.clock.now().toISOString(), ctx });
        if (outcome.isErr()) throw new Rollback(outcome.error);
        return outcome.value;
      },
      { readOnly: true },
    ),
  );
  return ResultAsync.fromPromise(transaction, storageFailure);
}

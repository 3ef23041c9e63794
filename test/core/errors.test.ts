import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { asUser, errors, isWorkspaceKitError, system, type WorkspaceKitError } from '../../src/index.js';
import { fromZodIssues } from '../../src/core/errors.js';
import { createTestKit } from '../../src/testing.js';

/** One example of every error code, built by the public constructors. */
const EXAMPLES: readonly WorkspaceKitError[] = [
  errors.validation([{ path: ['input', 'handle'], message: 'a handle must not be empty', rule: 'empty' }]),
  errors.validation([]),
  errors.forbidden('create_workspaces'),
  errors.notFound('workspace', 'ws_1'),
  errors.accountHandleTaken('acme'),
  errors.workspaceHandleTaken('acc_1', 'prod'),
  errors.emailTaken('ada@example.com'),
  errors.alreadyExists('membership', 'acc_1/usr_2'),
  errors.conflict('workspace', 'ws_1', 1, 2),
  errors.conflict('workspace', 'ws_1', 3, null),
  errors.planLimitReached('hobby', 'workspaces', 1, 1),
  errors.planDowngradeBlocked('hobby', [
    { limit: 'workspaces', max: 1, current: 3 },
    { limit: 'seats', max: 2, current: 5 },
  ]),
  errors.planFeatureUnavailable('hobby', 'auditLog'),
  errors.lastOwner('acc_1'),
  errors.storage('disk on fire'),
];

describe('errors are data (DESIGN: errors as values)', () => {
  it('every error code is covered by the examples', () => {
    const codes = new Set(EXAMPLES.map((e) => e.code));
    expect([...codes].sort()).toEqual(
      [
        'ALREADY_EXISTS',
        'CONFLICT',
        'EMAIL_TAKEN',
        'FORBIDDEN',
        'HANDLE_TAKEN',
        'LAST_OWNER',
        'NOT_FOUND',
        'PLAN_DOWNGRADE_BLOCKED',
        'PLAN_FEATURE_UNAVAILABLE',
        'PLAN_LIMIT_REACHED',
        'STORAGE',
        'VALIDATION',
      ].sort(),
    );
  });

  it.each(EXAMPLES.map((e) => [e.code, e] as const))('%s survives a JSON round trip unchanged', (_code, error) => {
    expect(JSON.parse(JSON.stringify(error))).toEqual(error);
    expect(Object.getPrototypeOf(error)).toBe(Object.prototype);
  });

  it.each(EXAMPLES.map((e) => [e.code, e] as const))('%s has a non-empty message and is recognized', (_code, error) => {
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    expect(isWorkspaceKitError(error)).toBe(true);
  });

  it('isWorkspaceKitError refuses non-errors', () => {
    for (const v of [null, undefined, 'FORBIDDEN', 42, {}, { code: 1, message: 'x' }, { code: 'FORBIDDEN' }, new Error('x')]) {
      expect(isWorkspaceKitError(v)).toBe(false);
    }
  });
});

describe('error messages', () => {
  it('ROLE-6 FORBIDDEN names the missing scope in data and message', () => {
    const e = errors.forbidden('manage_owners');
    expect(e).toEqual({ code: 'FORBIDDEN', message: 'missing scope manage_owners', missingScope: 'manage_owners' });
  });

  it('NOT_FOUND names the entity and key', () => {
    expect(errors.notFound('account', 'acc_9')).toEqual({
      code: 'NOT_FOUND',
      message: 'account acc_9 not found',
      entity: 'account',
      key: 'acc_9',
    });
  });

  it('HDL-1 HANDLE_TAKEN tells account scope from workspace scope', () => {
    const acc = errors.accountHandleTaken('acme');
    expect(acc).toEqual({ code: 'HANDLE_TAKEN', message: 'account handle "acme" is taken', handle: 'acme', scope: 'account' });
    expect('accountId' in acc).toBe(false);
    const ws = errors.workspaceHandleTaken('acc_1', 'prod');
    expect(ws).toMatchObject({ code: 'HANDLE_TAKEN', handle: 'prod', scope: 'workspace', accountId: 'acc_1' });
    expect(ws.message).toContain('"prod"');
  });

  it('WS-5 CONFLICT states the expected and the actual version', () => {
    expect(errors.conflict('workspace', 'ws_1', 1, 2).message).toBe('workspace ws_1 is at version 2, not 1');
    expect(errors.conflict('workspace', 'ws_1', 1, null).message).toBe('workspace ws_1 is at version none, not 1');
  });

  it('PLAN-1 PLAN_LIMIT_REACHED names the limit, the max and the current usage', () => {
    const e = errors.planLimitReached('hobby', 'workspaces', 1, 1);
    expect(e).toMatchObject({ limit: 'workspaces', max: 1, current: 1, planId: 'hobby' });
    expect(e.message).toBe('plan hobby allows 1 workspaces; the account has 1');
  });

  it('PLAN-4 PLAN_DOWNGRADE_BLOCKED lists every violation in the message', () => {
    const e = errors.planDowngradeBlocked('hobby', [
      { limit: 'workspaces', max: 1, current: 3 },
      { limit: 'seats', max: 2, current: 5 },
    ]);
    expect(e.message).toBe('cannot change to plan hobby: the account has 3 workspaces (max 1), 5 seats (max 2)');
    expect(e.violations).toHaveLength(2);
  });

  it('PLAN-3 PLAN_FEATURE_UNAVAILABLE names the plan and the feature', () => {
    expect(errors.planFeatureUnavailable('hobby', 'auditLog').message).toBe('plan hobby does not include auditLog');
  });

  it('ACC-4 LAST_OWNER names the account', () => {
    expect(errors.lastOwner('acc_1').message).toContain('acc_1');
  });

  it('VALIDATION message quotes the path and message of the first issue', () => {
    const e = errors.validation([
      { path: ['input', 'handle'], message: 'too short' },
      { path: ['input', 'email'], message: 'bad email' },
    ]);
    expect(e.message).toBe('invalid input: input.handle: too short');
    expect(e.issues).toHaveLength(2);
    expect(errors.validation([{ path: [], message: 'bad' }]).message).toBe('invalid input: bad');
    expect(errors.validation([]).message).toBe('invalid input');
  });

  it('STORAGE prefixes the adapter message', () => {
    expect(errors.storage('timeout').message).toBe('storage failure: timeout');
  });
});

describe('fromZodIssues', () => {
  it('prefixes paths with the root and keeps the handle rule', () => {
    const schema = z.object({
      name: z.string().min(2),
      tags: z.array(z.string().superRefine((_, ctx) => ctx.addIssue({ code: 'custom', message: 'no', params: { rule: 'empty' } }))),
    });
    const r = schema.safeParse({ name: 'x', tags: ['a'] });
    expect(r.success).toBe(false);
    const issues = fromZodIssues('input', r.error!.issues);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ path: ['input', 'name'] });
    expect('rule' in issues[0]!).toBe(false);
    expect(issues[1]).toEqual({ path: ['input', 'tags', 0], message: 'no', rule: 'empty' });
    expect(JSON.parse(JSON.stringify(issues))).toEqual(issues);
  });
});

describe('errors returned by the kit are JSON-serializable', () => {
  it('a VALIDATION from several bad fields lists each with its path', async () => {
    const { kit } = createTestKit();
    const r = await kit.registerUser(system(), { email: 'not-an-email', displayName: '   ', handle: 'Bad Handle' });
    expect(r.isErr() && r.error.code).toBe('VALIDATION');
    const error = r._unsafeUnwrapErr();
    expect(JSON.parse(JSON.stringify(error))).toEqual(error);
    if (error.code !== 'VALIDATION') throw new Error('unreachable');
    const paths = error.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['input.displayName', 'input.email', 'input.handle']);
    expect(error.issues.find((i) => i.path[1] === 'handle')?.rule).toBe('invalid-character');
  });

  it('a malformed principal is a VALIDATION on the actor path, never a throw', async () => {
    const { kit } = createTestKit();
    const bogus = { type: 'robot' } as unknown as ReturnType<typeof system>;
    const r = await kit.registerUser(bogus, { email: 'a@example.com', displayName: 'A', handle: 'a' });
    expect(r.isErr() && r.error.code).toBe('VALIDATION');
    if (r.isErr() && r.error.code === 'VALIDATION') expect(r.error.issues[0]?.path[0]).toBe('actor');
  });

  it('unknown input keys are refused (strict schemas)', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const input = { accountId: ada.account.id, handle: 'prod', color: 'red' } as unknown as { accountId: string; handle: string };
    const r = await kit.createWorkspace(asUser(ada.user.id), input);
    expect(r.isErr() && r.error.code).toBe('VALIDATION');
  });

  it('domain errors from the kit survive a JSON round trip', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    await seed.workspace(ada.account.id, { handle: 'prod' });
    const r = await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'other' });
    const error = r._unsafeUnwrapErr();
    expect(error.code).toBe('PLAN_LIMIT_REACHED');
    expect(JSON.parse(JSON.stringify(error))).toEqual(error);
  });
});

/**
 * Bad input (DESIGN "validate at the boundary"; ROLE-6; AUD-1): every public command of the
 * WorkspaceKit is fed hostile values — `fc.anything()` with boxed values, object strings,
 * null prototypes, maps, sets, typed and sparse arrays, plus objects with custom `toString`,
 * `valueOf` and `Symbol.toPrimitive`, symbols and functions — as its input, as its actor, and
 * as single wrongly-typed fields of otherwise well-formed inputs. Each call must RESOLVE (never
 * throw, never reject) to an error: `VALIDATION` naming the bad part, or `NOT_FOUND` /
 * `FORBIDDEN` when the input happens to be well formed; and the store must be unchanged
 * (nothing written, no audit event). Throwing getters and proxies must not make a call throw.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { MemoryStore } from '../../src/adapters/memory/memory-store.js';
import type { ValidationIssue } from '../../src/core/errors.js';
import { PrincipalSchema, asUser, system, type Principal } from '../../src/core/principal.js';
import {
  AccountRefInput,
  AddMemberInput,
  ChangeMemberRoleInput,
  ChangePlanInput,
  CreateOrganizationInput,
  ListMembersInput,
  RegisterUserInput,
  RemoveMemberInput,
} from '../../src/kit/account-commands.js';
import { ListAuditEventsInput } from '../../src/kit/audit-queries.js';
import {
  CreateWorkspaceInput,
  DeleteWorkspaceInput,
  ListWorkspacesInput,
  TrackResourcesInput,
  UpdateWorkspaceInput,
  WorkspaceByHandleInput,
  WorkspaceRefInput,
} from '../../src/kit/workspace-commands.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { callSafely, describeOutcome, type CallOutcome } from '../support/harness.js';

// ---------------------------------------------------------------------------------------------
// The state the fuzzed calls run against, and what every call must leave untouched
// ---------------------------------------------------------------------------------------------

interface Fixture {
  readonly t: TestKit<MemoryStore>;
  readonly ids: {
    readonly ada: string;
    readonly bob: string;
    readonly personal: string;
    readonly acme: string;
    readonly ws: string;
  };
}

let fx: Fixture;

beforeAll(async () => {
  const t = createTestKit();
  const ada = await t.seed.user({ handle: 'ada', planId: 'pro' });
  const bob = await t.seed.user({ handle: 'bob' });
  const { account: acme } = await t.seed.organization({ handle: 'acme', planId: 'enterprise', owner: ada, members: [{ user: bob, role: 'member' }] });
  const ws = await t.seed.workspace(acme.id, { handle: 'prod' });
  await t.seed.resources(ws.id, { flow: 1, variable: 1 });
  fx = { t, ids: { ada: ada.user.id, bob: bob.user.id, personal: ada.account.id, acme: acme.id, ws: ws.id } };
});

/** Calls `call` and checks that nothing was written and no event published. */
async function unchanged(call: () => KitResult<unknown>): Promise<CallOutcome> {
  const before = fx.t.store.snapshot();
  const published = fx.t.events.length;
  const outcome = await callSafely(call);
  expect(fx.t.store.snapshot()).toEqual(before);
  expect(fx.t.events.length).toBe(published);
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Every public command, with a well-formed input and the type of each of its fields
// ---------------------------------------------------------------------------------------------

type FieldType = 'string' | 'number' | 'array';

interface Method {
  readonly name: string;
  /** The input schema, used only to know whether a random input happens to be well formed. */
  readonly schema: z.ZodType | null;
  readonly call: (kit: WorkspaceKit, actor: unknown, input: unknown) => KitResult<unknown>;
  /** A well-formed input against the fixture (for fuzzing the actor alone). */
  readonly valid: () => Record<string, unknown>;
  readonly fields: Readonly<Record<string, FieldType>>;
}

/** The kit methods take typed inputs; the fuzzer calls them as a host would with a request body. */
type Loose = (actor: unknown, input?: unknown) => KitResult<unknown>;
const loose = (kit: WorkspaceKit, name: keyof WorkspaceKit): Loose => (kit[name] as unknown as Loose).bind(kit);
const method = (name: keyof WorkspaceKit, schema: z.ZodType | null, valid: () => Record<string, unknown>, fields: Record<string, FieldType>): Method => ({
  name,
  schema,
  call: (kit, actor, input) => (schema === null ? loose(kit, name)(actor) : loose(kit, name)(actor, input)),
  valid,
  fields,
});

const METHODS: readonly Method[] = [
  method('registerUser', RegisterUserInput, () => ({ email: 'new@example.com', displayName: 'New', handle: 'fresh' }), {
    email: 'string',
    displayName: 'string',
    handle: 'string',
    planId: 'string',
  }),
  method('createOrganization', CreateOrganizationInput, () => ({ handle: 'fresh-org', displayName: 'Fresh' }), {
    handle: 'string',
    displayName: 'string',
    planId: 'string',
    ownerUserId: 'string',
  }),
  method('addMember', AddMemberInput, () => ({ accountId: fx.ids.acme, userId: fx.ids.bob, role: 'admin' }), {
    accountId: 'string',
    userId: 'string',
    role: 'string',
  }),
  method('changeMemberRole', ChangeMemberRoleInput, () => ({ accountId: fx.ids.acme, userId: fx.ids.bob, role: 'admin' }), {
    accountId: 'string',
    userId: 'string',
    role: 'string',
  }),
  method('removeMember', RemoveMemberInput, () => ({ accountId: fx.ids.acme, userId: fx.ids.bob }), { accountId: 'string', userId: 'string' }),
  method('changePlan', ChangePlanInput, () => ({ accountId: fx.ids.acme, planId: 'pro' }), { accountId: 'string', planId: 'string' }),
  method('getAccount', AccountRefInput, () => ({ accountId: fx.ids.acme }), { accountId: 'string' }),
  method('getAccountRole', AccountRefInput, () => ({ accountId: fx.ids.acme }), { accountId: 'string' }),
  method('listAccounts', null, () => ({}), {}),
  method('listMembers', ListMembersInput, () => ({ accountId: fx.ids.acme, limit: 10 }), {
    accountId: 'string',
    limit: 'number',
    cursor: 'string',
  }),
  method('createWorkspace', CreateWorkspaceInput, () => ({ accountId: fx.ids.acme, handle: 'fresh' }), {
    accountId: 'string',
    handle: 'string',
    description: 'string',
  }),
  method('getWorkspace', WorkspaceRefInput, () => ({ workspaceId: fx.ids.ws }), { workspaceId: 'string' }),
  method('getWorkspaceByHandle', WorkspaceByHandleInput, () => ({ fullHandle: 'acme/prod' }), { fullHandle: 'string' }),
  method('listWorkspaces', ListWorkspacesInput, () => ({ accountId: fx.ids.acme, limit: 10 }), {
    accountId: 'string',
    limit: 'number',
    cursor: 'string',
  }),
  method('updateWorkspace', UpdateWorkspaceInput, () => ({ workspaceId: fx.ids.ws, description: 'changed', expectedVersion: 1 }), {
    workspaceId: 'string',
    handle: 'string',
    description: 'string',
    expectedVersion: 'number',
  }),
  method('previewWorkspaceDeletion', WorkspaceRefInput, () => ({ workspaceId: fx.ids.ws }), { workspaceId: 'string' }),
  method('deleteWorkspace', DeleteWorkspaceInput, () => ({ workspaceId: fx.ids.ws, expectedVersion: 1 }), {
    workspaceId: 'string',
    expectedVersion: 'number',
  }),
  method('trackResources', TrackResourcesInput, () => ({ workspaceId: fx.ids.ws, resources: [{ kind: 'flow', name: 'etl' }] }), {
    workspaceId: 'string',
    resources: 'array',
  }),
  method('listAuditEvents', ListAuditEventsInput, () => ({ accountId: fx.ids.acme, action: 'workspace.created', order: 'desc' }), {
    accountId: 'string',
    workspaceId: 'string',
    actor: 'string',
    action: 'string',
    from: 'string',
    to: 'string',
    order: 'string',
    limit: 'number',
    cursor: 'string',
  }),
];

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

const anything = fc.anything({
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  stringUnit: 'binary',
  maxDepth: 3,
});

/** Values that pretend to be strings or numbers, and other exotic objects. */
const exotic: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(Symbol('s'), () => 'acc_1', new Date(Number.NaN), /acc_1/, new Error('acc_1'), Number.NaN, -0, 10n),
  fc.constantFrom('acc_1', 'usr_1', 'ws_1', 'prod', 'acme/prod').map((s) => ({ toString: () => s })),
  fc.constantFrom('acc_1', '1', 'prod').map((s) => ({ valueOf: () => s, [Symbol.toPrimitive]: () => s })),
  fc.constantFrom('acc_1', 'prod', '').map((s) => new String(s)),
  fc.constant([1]).map((a) => Object.assign(a, { toString: () => 'acc_1' })),
);

const hostile: fc.Arbitrary<unknown> = fc.oneof({ arbitrary: anything, weight: 4 }, { arbitrary: exotic, weight: 1 });

/** Principal-shaped values that are not principals. */
const badActor: fc.Arbitrary<unknown> = fc.oneof(
  hostile,
  fc.record({ type: fc.constantFrom('user', 'system', 'admin', 'User', ''), userId: hostile, name: hostile }, { requiredKeys: ['type'] }),
  fc.constantFrom<unknown>(
    { type: 'user', userId: '' },
    { type: 'user', userId: 'x'.repeat(129) },
    { type: 'system', name: '' },
    { type: 'system' },
    { type: 'user', userId: 'usr_1', extra: true },
    { type: 'system', name: 'ok', userId: 'usr_1' },
    new String('system'),
    'system',
  ),
);

function wrongFor(type: FieldType): fc.Arbitrary<unknown> {
  return hostile.filter((v) => {
    if (v === undefined) return false;
    if (type === 'string') return typeof v !== 'string';
    if (type === 'number') return typeof v !== 'number';
    return !Array.isArray(v);
  });
}

/** The allowed outcomes of a call whose input parsed (or not) against its schema. */
function expectRefused(outcome: CallOutcome, wellFormed: boolean, part: 'actor' | 'input', what: string): void {
  expect(outcome.kind, `${what}: ${describeOutcome(outcome)}`).toBe('resolved');
  if (outcome.kind !== 'resolved') return;
  expect(outcome.result.isErr(), `${what}: resolved ok`).toBe(true);
  if (!outcome.result.isErr()) return;
  const error = outcome.result.error;
  if (wellFormed) {
    expect(['VALIDATION', 'NOT_FOUND', 'FORBIDDEN'], what).toContain(error.code);
  } else {
    expect(error.code, what).toBe('VALIDATION');
    if (error.code === 'VALIDATION') {
      expect(
        error.issues.some((i: ValidationIssue) => i.path[0] === part),
        `${what}: an issue under ${part}: ${JSON.stringify(error.issues)}`,
      ).toBe(true);
    }
  }
}

const parses = (schema: z.ZodType | null, input: unknown): boolean => {
  try {
    return schema === null ? input === undefined : schema.safeParse(input).success;
  } catch {
    return false;
  }
};

const actors = (): Principal[] => [asUser(fx.ids.ada), asUser(fx.ids.bob), system('fuzz')];

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('bad input never throws, never writes', () => {
  it('the fuzzed list covers every public command of the WorkspaceKit', () => {
    const kit = fx.t.kit as unknown as Record<string, unknown>;
    const commands = Object.keys(kit).filter((k) => typeof kit[k] === 'function' && k !== 'subscribe');
    expect(METHODS.map((m) => m.name).sort()).toEqual(commands.sort());
  });

  for (const m of METHODS) {
    if (m.schema !== null) {
      it(`ROLE-6 AUD-1 ${m.name}: fc.anything() as input resolves to VALIDATION and changes nothing`, async () => {
        await fc.assert(
          fc.asyncProperty(hostile, fc.nat({ max: 2 }), async (input, who) => {
            const outcome = await unchanged(() => m.call(fx.t.kit, actors()[who], input));
            expectRefused(outcome, parses(m.schema, input), 'input', m.name);
          }),
          { numRuns: 150 },
        );
      });

      it(`ROLE-6 AUD-1 ${m.name}: well-formed inputs with a wrongly typed field resolve to VALIDATION naming it`, async () => {
        const names = Object.keys(m.fields);
        const record = fc
          .tuple(
            fc.constantFrom(...names),
            fc.record(Object.fromEntries(names.map((n) => [n, fc.option(wrongFor(m.fields[n]!), { freq: 2 })]))),
          )
          .chain(([forced, others]) => wrongFor(m.fields[forced]!).map((bad) => ({ forced, others, bad })));
        await fc.assert(
          fc.asyncProperty(record, fc.nat({ max: 2 }), async ({ forced, others, bad }, who) => {
            const input: Record<string, unknown> = { ...m.valid() };
            for (const [k, v] of Object.entries(others)) if (v !== null) input[k] = v;
            input[forced] = bad;
            const outcome = await unchanged(() => m.call(fx.t.kit, actors()[who], input));
            expectRefused(outcome, false, 'input', `${m.name}.${forced}`);
            if (outcome.kind === 'resolved' && outcome.result.isErr() && outcome.result.error.code === 'VALIDATION') {
              const paths = outcome.result.error.issues.map((i) => i.path.join('.'));
              expect(
                paths.some((p) => p === `input.${forced}` || p.startsWith(`input.${forced}.`)),
                `${m.name}: an issue at input.${forced}, got ${paths.join(' | ')}`,
              ).toBe(true);
            }
          }),
          { numRuns: 150 },
        );
      });
    }

    it(`ROLE-6 AUD-1 ${m.name}: a malformed actor resolves to VALIDATION naming the actor and changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(badActor, async (actor) => {
          fc.pre(!PrincipalSchema.safeParse(actor).success);
          const outcome = await unchanged(() => m.call(fx.t.kit, actor, m.valid()));
          expectRefused(outcome, false, 'actor', m.name);
        }),
        { numRuns: 150 },
      );
    });

    if (m.schema !== null) {
      it(`ROLE-6 ${m.name}: fc.anything() as both actor and input resolves to VALIDATION`, async () => {
        await fc.assert(
          fc.asyncProperty(badActor, hostile, async (actor, input) => {
            fc.pre(!PrincipalSchema.safeParse(actor).success);
            const outcome = await unchanged(() => m.call(fx.t.kit, actor, input));
            expectRefused(outcome, false, 'actor', m.name);
          }),
          { numRuns: 30 },
        );
      });
    }
  }

  it('VALIDATION well-formed inputs naming nothing the actor can see resolve to NOT_FOUND or FORBIDDEN', async () => {
    // An outsider (bob has no role in ada's personal account) and unknown ids.
    const bob = asUser(fx.ids.bob);
    const outcomes = [
      await unchanged(() => fx.t.kit.getAccount(bob, { accountId: fx.ids.personal })),
      await unchanged(() => fx.t.kit.createWorkspace(bob, { accountId: fx.ids.personal, handle: 'x' })),
      await unchanged(() => fx.t.kit.changePlan(bob, { accountId: fx.ids.acme, planId: 'hobby' })),
      await unchanged(() => fx.t.kit.deleteWorkspace(bob, { workspaceId: fx.ids.ws })),
      await unchanged(() => fx.t.kit.getWorkspace(system(), { workspaceId: 'ws_nope' })),
      await unchanged(() => fx.t.kit.removeMember(bob, { accountId: fx.ids.acme, userId: fx.ids.ada })),
    ];
    expect(outcomes.map(describeOutcome)).toEqual([
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
    ]);
  });
});

describe('hostile objects: throwing getters and proxies never make a call throw', () => {
  /** The first field of each method's input, made a getter that throws `thrown()`. */
  function inputWithThrowingGetter(m: Method, thrown: () => unknown): Record<string, unknown> {
    const input = { ...m.valid() };
    const key = Object.keys(m.fields)[0] ?? 'anything';
    Object.defineProperty(input, key, {
      enumerable: true,
      get() {
        throw thrown();
      },
    });
    return input;
  }

  const trapAll = <T extends object>(target: T, thrown: () => unknown): T =>
    new Proxy(target, {
      get: () => {
        throw thrown();
      },
      has: () => {
        throw thrown();
      },
      ownKeys: () => {
        throw thrown();
      },
      getOwnPropertyDescriptor: () => {
        throw thrown();
      },
      getPrototypeOf: () => {
        throw thrown();
      },
    });

  const throwables: readonly [string, () => unknown][] = [
    ['an Error', () => new Error('boom')],
    ['a string', () => 'boom'],
    ['undefined', () => undefined],
    ['a null-prototype object', () => Object.create(null) as unknown],
    [
      'an object whose toString throws',
      () => ({
        toString(): string {
          throw new Error('nested');
        },
      }),
    ],
  ];

  /** Runs every method with `make(m)` as (actor, input) and lists the methods that misbehave. */
  async function misbehaving(make: (m: Method) => { actor: unknown; input: unknown }): Promise<string[]> {
    const bad: string[] = [];
    for (const m of METHODS) {
      const { actor, input } = make(m);
      const outcome = await unchanged(() => m.call(fx.t.kit, actor, input));
      const text = describeOutcome(outcome);
      if (text !== 'resolved VALIDATION') bad.push(`${m.name}: ${text}`);
    }
    return bad;
  }

  for (const [label, thrown] of throwables) {
    it(`VALIDATION an input getter throwing ${label}: every command resolves to VALIDATION`, async () => {
      const bad = await misbehaving((m) => ({
        actor: system('fuzz'),
        input: m.schema === null ? undefined : inputWithThrowingGetter(m, thrown),
      }));
      // listAccounts takes no input; its actor is checked below.
      expect(bad.filter((b) => !b.startsWith('listAccounts:'))).toEqual([]);
    });

    it(`VALIDATION an actor getter throwing ${label}: every command resolves to VALIDATION`, async () => {
      const bad = await misbehaving((m) => {
        const actor: Record<string, unknown> = { type: 'user' };
        Object.defineProperty(actor, 'userId', {
          enumerable: true,
          get() {
            throw thrown();
          },
        });
        return { actor, input: m.valid() };
      });
      expect(bad).toEqual([]);
    });

    it(`VALIDATION a proxy whose every trap throws ${label}, as input and as actor: every command resolves to VALIDATION`, async () => {
      const asInput = await misbehaving((m) => ({ actor: system('fuzz'), input: m.schema === null ? undefined : trapAll({}, thrown) }));
      const asActor = await misbehaving((m) => ({ actor: trapAll({ type: 'system', name: 'x' }, thrown), input: m.valid() }));
      expect([...asInput.filter((b) => !b.startsWith('listAccounts:')), ...asActor]).toEqual([]);
    });
  }

  it('VALIDATION objects that only look like strings (toString/valueOf/boxed) are never coerced into ids', async () => {
    const bad = await misbehaving((m) => {
      const input: Record<string, unknown> = { ...m.valid() };
      for (const [k, type] of Object.entries(m.fields)) {
        if (type === 'string' && k in input) {
          const real = String(input[k]);
          input[k] = k.length % 2 ? new String(real) : { toString: () => real, valueOf: () => real };
        }
      }
      return { actor: asUser(fx.ids.ada), input: m.schema === null ? undefined : input };
    });
    expect(bad.filter((b) => !b.startsWith('listAccounts:'))).toEqual([]);
  });
});

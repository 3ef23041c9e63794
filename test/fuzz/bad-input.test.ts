/**
 * Bad input (DESIGN "validate at the boundary"; ROLE-6; AUD-1): every public command of the
 * WorkspaceKit is fed hostile values — `fc.anything()` with boxed values, object strings,
 * null prototypes, maps, sets, typed and sparse arrays, plus objects with custom `toString`,
 * `valueOf` and `Symbol.toPrimitive`, symbols and functions — as its input, as its actor, and
 * as single wrongly-typed fields of otherwise well-formed inputs. Each call must RESOLVE (never
 * throw, never reject) to an error: `VALIDATION` naming the bad part, or `NOT_FOUND` /
 * `FORBIDDEN` / `INVITATION_INVALID` / `UNAUTHENTICATED` when the input happens to be well
 * formed (a query may then also succeed); and the store must be unchanged (nothing written, no
 * audit event). Throwing getters and proxies must not make a call throw. `resolveApiKey` takes
 * only an input, so only its input is fuzzed.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { MemoryStore } from '../../src/adapters/memory/memory-store.js';
import type { ValidationIssue } from '../../src/core/errors.js';
import { PrincipalSchema, asServiceAccount, asUser, system, type Principal } from '../../src/core/principal.js';
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
  ApiKeyRefInput,
  CreateApiKeyInput,
  CreateServiceAccountInput,
  ListApiKeysInput,
  ListServiceAccountsInput,
  ResolveApiKeyInput,
  RotateApiKeyInput,
  ServiceAccountRefInput,
} from '../../src/kit/credential-commands.js';
import {
  AcceptInvitationInput,
  InvitationRefInput,
  InviteCollaboratorInput,
  InviteMemberInput,
  ListInvitationsInput,
  RejectInvitationInput,
  ResendInvitationInput,
} from '../../src/kit/invitation-commands.js';
import { CreateCustomRoleInput, CustomRoleRefInput, ListCustomRolesInput } from '../../src/kit/role-commands.js';
import {
  ChangeWorkspaceRoleInput,
  ExplainAccessInput,
  ListWorkspaceAccessInput,
  SetDefaultWorkspaceRoleInput,
  ShareWorkspaceInput,
  UnshareWorkspaceInput,
} from '../../src/kit/sharing-commands.js';
import {
  CreateWorkspaceInput,
  DeleteWorkspaceInput,
  ListWorkspacesInput,
  TrackResourcesInput,
  UpdateWorkspaceInput,
  WorkspaceByHandleInput,
  WorkspaceRefInput,
} from '../../src/kit/workspace-commands.js';
import {
  ApproveTransferInput,
  ExecuteTransferInput,
  PlanTransferInput,
  PruneAllAccountsInput,
  PruneRunsInput,
  TransferRequestRefInput,
} from '../../src/kit/transfer-commands.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import { createTestKit, type TestKit } from '../../src/testing/test-kit.js';
import { callSafely, describeOutcome, valueOf, type CallOutcome } from '../support/harness.js';

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
    /** A workspace of ada's personal account (collaborator invitations). */
    readonly personalWs: string;
    readonly role: string;
    readonly invitation: string;
    readonly serviceAccount: string;
    readonly key: string;
    /** Bob's personal account: the target of a transfer request for `ws` (XFER-2). */
    readonly bobPersonal: string;
    /** A pending transfer request of `ws` to bob's personal account, awaiting bob. */
    readonly request: string;
    readonly fingerprint: string;
    readonly plannedAt: string;
    /** A user with no role anywhere but its own personal account. */
    readonly eve: string;
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
  const personalWs = await t.seed.workspace(ada.account.id, { handle: 'mine' });
  const owner = asUser(ada.user.id);
  const role = valueOf(await t.kit.createCustomRole(owner, { accountId: acme.id, name: 'Deployer', scopes: ['manage_deployments'], inherits: 'runner' }));
  const invitation = valueOf(await t.kit.inviteMember(owner, { accountId: acme.id, email: 'zed@example.com', role: 'member' }));
  const sa = valueOf(await t.kit.createServiceAccount(owner, { accountId: acme.id, name: 'bot' }));
  const key = valueOf(await t.kit.createApiKey(owner, { name: 'ci', serviceAccountId: sa.id }));
  valueOf(await t.kit.createApiKey(owner, { name: 'laptop' }));
  valueOf(await t.kit.shareWorkspace(owner, { workspaceId: ws.id, grantee: asServiceAccount(sa.id), role: 'runner' }));
  // Transfers (XFER): ada asks bob to take acme/prod into his personal account.
  const plan = valueOf(await t.kit.planTransfer(owner, { workspaceId: ws.id, targetAccountId: bob.account.id }));
  const request = valueOf(
    await t.kit.requestTransfer(owner, { workspaceId: ws.id, targetAccountId: bob.account.id, fingerprint: plan.fingerprint, plannedAt: plan.plannedAt }),
  );
  const eve = await t.seed.user({ handle: 'eve' });
  fx = {
    t,
    ids: {
      ada: ada.user.id,
      bob: bob.user.id,
      personal: ada.account.id,
      acme: acme.id,
      ws: ws.id,
      personalWs: personalWs.id,
      role: role.id,
      invitation: invitation.invitation.id,
      serviceAccount: sa.id,
      key: key.key.id,
      bobPersonal: bob.account.id,
      request: request.id,
      fingerprint: request.fingerprint,
      plannedAt: request.plannedAt,
      eve: eve.user.id,
    },
  };
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

/** `object`: a nested object (grantee, principal, newUser); `nullable-string`: a string or `null`. */
type FieldType = 'string' | 'nullable-string' | 'number' | 'array' | 'object';

interface Method {
  readonly name: string;
  /** The input schema, used only to know whether a random input happens to be well formed. */
  readonly schema: z.ZodType | null;
  readonly call: (kit: WorkspaceKit, actor: unknown, input: unknown) => KitResult<unknown>;
  /** A well-formed input against the fixture (for fuzzing the actor alone). */
  readonly valid: () => Record<string, unknown>;
  readonly fields: Readonly<Record<string, FieldType>>;
  /** False for `resolveApiKey`, which takes only its input: there is no actor to fuzz. */
  readonly takesActor: boolean;
  /** A read-only query: a random input that happens to be well formed may resolve ok. */
  readonly query: boolean;
}

/** The kit methods take typed inputs; the fuzzer calls them as a host would with a request body. */
type Loose = (actor: unknown, input?: unknown) => KitResult<unknown>;
const loose = (kit: WorkspaceKit, name: keyof WorkspaceKit): Loose => (kit[name] as unknown as Loose).bind(kit);
const QUERIES: ReadonlySet<string> = new Set([
  'getAccount',
  'getAccountRole',
  'listAccounts',
  'listMembers',
  'getWorkspace',
  'getWorkspaceByHandle',
  'listWorkspaces',
  'previewWorkspaceDeletion',
  'listAuditEvents',
  'listWorkspaceAccess',
  'explainAccess',
  'listCustomRoles',
  'listInvitations',
  'listServiceAccounts',
  'listApiKeys',
  'resolveApiKey',
  'planTransfer',
  'getTransferRequest',
]);
/**
 * Commands whose input is optional: called without one they act on defaults. The fixture has no
 * runs, so a well-formed sweep by the system succeeds and writes nothing.
 */
const OPTIONAL_INPUT: ReadonlySet<string> = new Set(['pruneAllAccounts']);
const method = (name: keyof WorkspaceKit, schema: z.ZodType | null, valid: () => Record<string, unknown>, fields: Record<string, FieldType>): Method => ({
  name,
  schema,
  call: (kit, actor, input) => (schema === null ? loose(kit, name)(actor) : loose(kit, name)(actor, input)),
  valid,
  fields,
  takesActor: true,
  query: QUERIES.has(name) || OPTIONAL_INPUT.has(name),
});
/** A method without an actor: `resolveApiKey(input)`. */
const actorless = (name: keyof WorkspaceKit, schema: z.ZodType, valid: () => Record<string, unknown>, fields: Record<string, FieldType>): Method => ({
  ...method(name, schema, valid, fields),
  call: (kit, _actor, input) => (kit[name] as unknown as (input: unknown) => KitResult<unknown>).call(kit, input),
  takesActor: false,
});

/** Well formed, but no invitation or key has these secrets. */
const FAKE_TOKEN = `wki.inv_1.${'a'.repeat(32)}`;
const FAKE_KEY = `wkk.key_1.${'a'.repeat(32)}`;
const PAGE = { limit: 'number', cursor: 'string' } as const;

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
  // Sharing and access (SHR-1, ROLE-3).
  method(
    'shareWorkspace',
    ShareWorkspaceInput,
    () => ({ workspaceId: fx.ids.ws, grantee: { type: 'user', userId: fx.ids.bob }, role: 'viewer' }),
    { workspaceId: 'string', grantee: 'object', role: 'string' },
  ),
  method(
    'changeWorkspaceRole',
    ChangeWorkspaceRoleInput,
    () => ({ workspaceId: fx.ids.ws, grantee: { type: 'service-account', serviceAccountId: fx.ids.serviceAccount }, role: 'developer' }),
    { workspaceId: 'string', grantee: 'object', role: 'string' },
  ),
  method(
    'unshareWorkspace',
    UnshareWorkspaceInput,
    () => ({ workspaceId: fx.ids.ws, grantee: { type: 'service-account', serviceAccountId: fx.ids.serviceAccount } }),
    { workspaceId: 'string', grantee: 'object' },
  ),
  method('listWorkspaceAccess', ListWorkspaceAccessInput, () => ({ workspaceId: fx.ids.ws, limit: 10 }), { workspaceId: 'string', ...PAGE }),
  method(
    'setDefaultWorkspaceRole',
    SetDefaultWorkspaceRoleInput,
    () => ({ workspaceId: fx.ids.ws, role: 'viewer', expectedVersion: 1 }),
    { workspaceId: 'string', role: 'nullable-string', expectedVersion: 'number' },
  ),
  method('explainAccess', ExplainAccessInput, () => ({ workspaceId: fx.ids.ws, principal: { type: 'user', userId: fx.ids.bob } }), {
    workspaceId: 'string',
    principal: 'object',
  }),
  // Custom roles (ROLE-2).
  method(
    'createCustomRole',
    CreateCustomRoleInput,
    () => ({ accountId: fx.ids.acme, name: 'Fuzzer', scopes: ['see_flows'], inherits: 'viewer' }),
    { accountId: 'string', name: 'string', scopes: 'array', inherits: 'nullable-string' },
  ),
  method('deleteCustomRole', CustomRoleRefInput, () => ({ roleId: fx.ids.role }), { roleId: 'string' }),
  method('listCustomRoles', ListCustomRolesInput, () => ({ accountId: fx.ids.acme, limit: 10 }), { accountId: 'string', ...PAGE }),
  // Invitations (INV, ACC-6, COL-1).
  method(
    'inviteMember',
    InviteMemberInput,
    () => ({ accountId: fx.ids.acme, email: 'fuzz@example.com', role: 'member', expiresInDays: 3 }),
    { accountId: 'string', email: 'string', role: 'string', expiresInDays: 'number' },
  ),
  method(
    'inviteCollaborator',
    InviteCollaboratorInput,
    () => ({ workspaceId: fx.ids.personalWs, email: 'fuzz@example.com', role: 'developer', expiresInDays: 3 }),
    { workspaceId: 'string', email: 'string', role: 'string', expiresInDays: 'number' },
  ),
  method('resendInvitation', ResendInvitationInput, () => ({ invitationId: fx.ids.invitation, expiresInDays: 3 }), {
    invitationId: 'string',
    expiresInDays: 'number',
  }),
  method('revokeInvitation', InvitationRefInput, () => ({ invitationId: fx.ids.invitation }), { invitationId: 'string' }),
  method('acceptInvitation', AcceptInvitationInput, () => ({ token: FAKE_TOKEN, newUser: { displayName: 'Zed', handle: 'zed' } }), {
    token: 'string',
    newUser: 'object',
  }),
  method('rejectInvitation', RejectInvitationInput, () => ({ token: FAKE_TOKEN }), { token: 'string' }),
  method(
    'listInvitations',
    ListInvitationsInput,
    () => ({ accountId: fx.ids.acme, status: 'pending', limit: 10 }),
    { accountId: 'string', workspaceId: 'string', status: 'string', ...PAGE },
  ),
  // Service accounts and API keys (SA).
  method('createServiceAccount', CreateServiceAccountInput, () => ({ accountId: fx.ids.acme, name: 'fuzz-bot' }), {
    accountId: 'string',
    name: 'string',
  }),
  method('deleteServiceAccount', ServiceAccountRefInput, () => ({ serviceAccountId: fx.ids.serviceAccount }), { serviceAccountId: 'string' }),
  method('listServiceAccounts', ListServiceAccountsInput, () => ({ accountId: fx.ids.acme, limit: 10 }), { accountId: 'string', ...PAGE }),
  method(
    'createApiKey',
    CreateApiKeyInput,
    () => ({ name: 'fuzz', expiresAt: '2027-01-01T00:00:00Z', serviceAccountId: fx.ids.serviceAccount }),
    { name: 'string', expiresAt: 'string', serviceAccountId: 'string', userId: 'string' },
  ),
  method('listApiKeys', ListApiKeysInput, () => ({ serviceAccountId: fx.ids.serviceAccount, limit: 10 }), {
    serviceAccountId: 'string',
    ...PAGE,
  }),
  method('revokeApiKey', ApiKeyRefInput, () => ({ keyId: fx.ids.key }), { keyId: 'string' }),
  method(
    'rotateApiKey',
    RotateApiKeyInput,
    () => ({ keyId: fx.ids.key, overlapHours: 1, expiresAt: '2027-01-01T00:00:00Z' }),
    { keyId: 'string', overlapHours: 'number', expiresAt: 'nullable-string' },
  ),
  actorless('resolveApiKey', ResolveApiKeyInput, () => ({ key: FAKE_KEY }), { key: 'string' }),
  // Transfers (XFER) and retention (RET).
  method('planTransfer', PlanTransferInput, () => ({ workspaceId: fx.ids.ws, targetAccountId: fx.ids.bobPersonal, handle: 'moved' }), {
    workspaceId: 'string',
    targetAccountId: 'string',
    handle: 'string',
  }),
  ...(['executeTransfer', 'requestTransfer'] as const).map((name) =>
    method(
      name,
      ExecuteTransferInput,
      () => ({ workspaceId: fx.ids.ws, targetAccountId: fx.ids.bobPersonal, handle: 'moved', fingerprint: fx.ids.fingerprint, plannedAt: fx.ids.plannedAt }),
      { workspaceId: 'string', targetAccountId: 'string', handle: 'string', fingerprint: 'string', plannedAt: 'string' },
    ),
  ),
  method('approveTransferRequest', ApproveTransferInput, () => ({ requestId: fx.ids.request, fingerprint: fx.ids.fingerprint }), {
    requestId: 'string',
    fingerprint: 'string',
  }),
  ...(['rejectTransferRequest', 'cancelTransferRequest', 'getTransferRequest'] as const).map((name) =>
    method(name, TransferRequestRefInput, () => ({ requestId: fx.ids.request }), { requestId: 'string' }),
  ),
  method('pruneRuns', PruneRunsInput, () => ({ accountId: fx.ids.acme, batchSize: 10, maxRuns: 5 }), {
    accountId: 'string',
    batchSize: 'number',
    maxRuns: 'number',
  }),
  method('pruneAllAccounts', PruneAllAccountsInput, () => ({ cursor: fx.ids.acme, limit: 10, batchSize: 10 }), {
    cursor: 'string',
    limit: 'number',
    batchSize: 'number',
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
    if (type === 'nullable-string') return typeof v !== 'string' && v !== null;
    if (type === 'number') return typeof v !== 'number';
    // A nested object: anything hostile fails it (its required, strict keys never come up at random).
    if (type === 'object') return true;
    return !Array.isArray(v);
  });
}

/** The refusals a well-formed input naming nothing real can get. */
const WELL_FORMED_REFUSALS = [
  'VALIDATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'INVITATION_INVALID',
  'UNAUTHENTICATED',
  'PLAN_FEATURE_UNAVAILABLE',
  // A well-formed transfer naming a real workspace with a fingerprint of another state.
  'PLAN_STALE',
  'TRANSFER_REQUEST_CLOSED',
];

/**
 * The allowed outcomes of a call whose input parsed (or not) against its schema. A query given a
 * well-formed input may also succeed (`listApiKeys({})` lists the actor's keys): it writes nothing.
 */
function expectRefused(outcome: CallOutcome, wellFormed: boolean, part: 'actor' | 'input', what: string, query = false): void {
  expect(outcome.kind, `${what}: ${describeOutcome(outcome)}`).toBe('resolved');
  if (outcome.kind !== 'resolved') return;
  if (wellFormed && query && outcome.result.isOk()) return;
  expect(outcome.result.isErr(), `${what}: resolved ok`).toBe(true);
  if (!outcome.result.isErr()) return;
  const error = outcome.result.error;
  if (wellFormed) {
    expect(WELL_FORMED_REFUSALS, `${what}: ${error.code}`).toContain(error.code);
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

const parses = (schema: z.ZodType | null, input: unknown, optional = false): boolean => {
  try {
    return schema === null ? input === undefined : schema.safeParse(input === undefined && optional ? {} : input).success;
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
            // createApiKey needs only a name, so a well-formed input is a genuine request that may
            // succeed; whether a non-plain one (an Error, whose inherited `name` parses) is refused
            // is checked deterministically at the end of this file.
            fc.pre(!(m.name === 'createApiKey' && parses(m.schema, input)));
            const outcome = await unchanged(() => m.call(fx.t.kit, actors()[who], input));
            expectRefused(outcome, parses(m.schema, input, OPTIONAL_INPUT.has(m.name)), 'input', m.name, m.query);
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

    if (!m.takesActor) continue;

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

  it('VALIDATION well-formed inputs naming nothing the actor can see resolve to NOT_FOUND, FORBIDDEN, INVITATION_INVALID or UNAUTHENTICATED', async () => {
    // An outsider (bob has no role in ada's personal account) and unknown ids.
    const bob = asUser(fx.ids.bob);
    const outcomes = [
      await unchanged(() => fx.t.kit.getAccount(bob, { accountId: fx.ids.personal })),
      await unchanged(() => fx.t.kit.createWorkspace(bob, { accountId: fx.ids.personal, handle: 'x' })),
      await unchanged(() => fx.t.kit.changePlan(bob, { accountId: fx.ids.acme, planId: 'hobby' })),
      await unchanged(() => fx.t.kit.deleteWorkspace(bob, { workspaceId: fx.ids.ws })),
      await unchanged(() => fx.t.kit.getWorkspace(system(), { workspaceId: 'ws_nope' })),
      await unchanged(() => fx.t.kit.removeMember(bob, { accountId: fx.ids.acme, userId: fx.ids.ada })),
      // Roles, sharing, invitations, service accounts and keys.
      await unchanged(() => fx.t.kit.shareWorkspace(bob, { workspaceId: fx.ids.ws, grantee: asUser(fx.ids.bob), role: 'viewer' })),
      await unchanged(() => fx.t.kit.createCustomRole(bob, { accountId: fx.ids.acme, name: 'Mine', scopes: ['see_flows'] })),
      await unchanged(() => fx.t.kit.deleteCustomRole(bob, { roleId: fx.ids.role })),
      await unchanged(() => fx.t.kit.inviteMember(bob, { accountId: fx.ids.acme, email: 'x@example.com', role: 'member' })),
      await unchanged(() => fx.t.kit.revokeInvitation(bob, { invitationId: fx.ids.invitation })),
      await unchanged(() => fx.t.kit.acceptInvitation(system(), { token: FAKE_TOKEN })),
      await unchanged(() => fx.t.kit.rejectInvitation(bob, { token: 'wki.inv_nope.' + 'b'.repeat(32) })),
      await unchanged(() => fx.t.kit.deleteServiceAccount(bob, { serviceAccountId: fx.ids.serviceAccount })),
      await unchanged(() => fx.t.kit.revokeApiKey(bob, { keyId: fx.ids.key })),
      await unchanged(() => fx.t.kit.rotateApiKey(bob, { keyId: fx.ids.key, overlapHours: 1 })),
      await unchanged(() => fx.t.kit.resolveApiKey({ key: FAKE_KEY })),
      await unchanged(() => fx.t.kit.inviteCollaborator(bob, { workspaceId: fx.ids.personalWs, email: 'x@example.com' })),
    ];
    expect(outcomes.map(describeOutcome)).toEqual([
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved INVITATION_INVALID',
      'resolved INVITATION_INVALID',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved UNAUTHENTICATED',
      'resolved NOT_FOUND',
    ]);
  });
});

describe('XFER RET well-formed transfer and retention calls by principals without the right resolve to a refusal and change nothing', () => {
  it('XFER-2 XFER-5 RET-2 ROLE-6 outsiders, the wrong side of a request, plain members and non-system sweepers are refused', async () => {
    const eve = asUser(fx.ids.eve);
    const bob = asUser(fx.ids.bob);
    const ada = asUser(fx.ids.ada);
    const move = { workspaceId: fx.ids.ws, targetAccountId: fx.ids.bobPersonal, fingerprint: fx.ids.fingerprint, plannedAt: fx.ids.plannedAt };
    const request = { requestId: fx.ids.request };
    const outcomes = [
      // Eve sees neither the workspace nor the request.
      await unchanged(() => fx.t.kit.planTransfer(eve, { workspaceId: fx.ids.ws, targetAccountId: fx.ids.bobPersonal })),
      await unchanged(() => fx.t.kit.executeTransfer(eve, move)),
      await unchanged(() => fx.t.kit.requestTransfer(eve, move)),
      await unchanged(() => fx.t.kit.approveTransferRequest(eve, { ...request, fingerprint: fx.ids.fingerprint })),
      await unchanged(() => fx.t.kit.rejectTransferRequest(eve, request)),
      await unchanged(() => fx.t.kit.cancelTransferRequest(eve, request)),
      await unchanged(() => fx.t.kit.getTransferRequest(eve, request)),
      // Bob, a plain member of acme without access to prod, cannot move it.
      await unchanged(() => fx.t.kit.executeTransfer(bob, move)),
      // The requesting side cannot approve or reject its own request; the awaited side cannot cancel it.
      await unchanged(() => fx.t.kit.approveTransferRequest(ada, { ...request, fingerprint: fx.ids.fingerprint })),
      await unchanged(() => fx.t.kit.rejectTransferRequest(ada, request)),
      await unchanged(() => fx.t.kit.cancelTransferRequest(bob, request)),
      // The awaited side approving a fingerprint other than the request's.
      await unchanged(() => fx.t.kit.approveTransferRequest(bob, { ...request, fingerprint: 'f'.repeat(64) })),
      // Ada holds both sides of a move into her personal account, but with a fingerprint of nothing.
      await unchanged(() =>
        fx.t.kit.executeTransfer(ada, { workspaceId: fx.ids.ws, targetAccountId: fx.ids.personal, fingerprint: 'f'.repeat(64), plannedAt: fx.ids.plannedAt }),
      ),
      // Retention: a plain member, an outsider, and any user sweeping every account.
      await unchanged(() => fx.t.kit.pruneRuns(bob, { accountId: fx.ids.acme })),
      await unchanged(() => fx.t.kit.pruneRuns(eve, { accountId: fx.ids.acme })),
      await unchanged(() => fx.t.kit.pruneAllAccounts(ada, {})),
      await unchanged(() => fx.t.kit.pruneAllAccounts(asServiceAccount(fx.ids.serviceAccount))),
    ];
    expect(outcomes.map(describeOutcome)).toEqual([
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
      'resolved PLAN_STALE',
      'resolved PLAN_STALE',
      'resolved FORBIDDEN',
      'resolved NOT_FOUND',
      'resolved FORBIDDEN',
      'resolved FORBIDDEN',
    ]);
  });
});

describe('hostile objects: throwing getters and proxies never make a call throw', () => {
  /** The methods whose actor can be made hostile (all but `resolveApiKey`). */
  const WITH_ACTOR = METHODS.filter((m) => m.takesActor);

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
  async function misbehaving(make: (m: Method) => { actor: unknown; input: unknown }, methods = METHODS): Promise<string[]> {
    const bad: string[] = [];
    for (const m of methods) {
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
      }, WITH_ACTOR);
      expect(bad).toEqual([]);
    });

    it(`VALIDATION a proxy whose every trap throws ${label}, as input and as actor: every command resolves to VALIDATION`, async () => {
      const asInput = await misbehaving((m) => ({ actor: system('fuzz'), input: m.schema === null ? undefined : trapAll({}, thrown) }));
      const asActor = await misbehaving((m) => ({ actor: trapAll({ type: 'system', name: 'x' }, thrown), input: m.valid() }), WITH_ACTOR);
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

describe('VALIDATION an input is a plain object: fields only inherited through a prototype are not input', () => {
  // A request body parsed from JSON has its fields as own properties. A value that only inherits
  // them (an Error's `name`, a class instance, `Object.create(fields)`) is not a well-formed input:
  // accepting it lets objects that merely resemble an input act as one.
  const cases: readonly { label: string; run: (t: TestKit<MemoryStore>, ada: Principal) => KitResult<unknown> }[] = [
    { label: 'createApiKey(new Error("x"))', run: (t, ada) => loose(t.kit, 'createApiKey')(ada, new Error('x')) },
    {
      label: 'registerUser(Object.create({ email, displayName, handle }))',
      run: (t) => loose(t.kit, 'registerUser')(system('fuzz'), Object.create({ email: 'p@example.com', displayName: 'P', handle: 'proto' })),
    },
  ];
  for (const c of cases) {
    it(`VALIDATION ${c.label} resolves to VALIDATION and changes nothing`, async () => {
      const t = createTestKit();
      const ada = await t.seed.user({ handle: 'ada' });
      const before = t.store.snapshot();
      const outcome = await callSafely(() => c.run(t, asUser(ada.user.id)));
      expect(describeOutcome(outcome)).toBe('resolved VALIDATION');
      expect(t.store.snapshot()).toEqual(before);
    });
  }
});

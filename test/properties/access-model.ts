/**
 * The model-based property test of access control (roles, sharing, invitations, service
 * accounts, API keys), parameterized by a store factory so every storage adapter runs it.
 *
 * The world is fixed and small: an organization `ent` on `enterprise` (workspace RBAC, custom
 * roles, service accounts) with three workspaces, an organization `tea` on `team` (no RBAC)
 * with two workspaces and a seat limit of 3 that it starts at, cy's personal account `p:cy` on
 * `starter` (3 seats, no RBAC) with two workspaces, ada's personal account `p:ada` on
 * `enterprise` with one (collaborators with custom roles), five users plus one invited email
 * without a user (`fay`, created when the system accepts for her, INV-3), two service
 * accounts, three custom roles (one of them only usable by its holder's grant: it manages
 * users without holding every scope), grants, a default role, a pending member invitation, a
 * pending collaborator invitation holding a custom role, and three API keys.
 *
 * fast-check generates random sequences of share / change role / unshare / set default role /
 * create and delete custom role / add, change and remove member / invite member and
 * collaborator / resend / revoke / accept / reject / create and delete service account /
 * create, revoke and rotate API key / clock advances past expiries / intrusions from another
 * account, each by a random actor (users, service accounts — live or deleted — and the
 * system). The reference model of `test/support/access-reference-model.ts` predicts every
 * outcome; after EVERY step we check:
 *
 * 1. ACC-4: every organization has at least one Owner; the stored members, service accounts,
 *    custom roles, grants, default roles and invitations (status, expiry) equal the model's —
 *    read through the store's ports in one read-only unit of work.
 * 2. ROLE-3 ROLE-4 SHR-1 COL-2: for EVERY principal × workspace, the effective scopes equal the
 *    model's (its own memberships, grants and default roles, never the library's authorizer):
 *    through `createAccessSnapshot` over the stored data (scope set, `can` for every scope,
 *    each scope's sources); and through the kit for the step's actor plus a rotation of the
 *    others (`principalsPerStep`): `explainAccess` by the principal itself (NOT_FOUND exactly
 *    when it cannot see the workspace, else the same scopes and sources), by the system for
 *    what it cannot see, `getWorkspace`, and every third step `getWorkspaceByHandle`,
 *    `listWorkspaceAccess` and another principal's access explained.
 * 3. ROLE-6: a refused command changed nothing (the memory store's snapshot, or every row of
 *    every table read past the adapter, before and after) and published no event.
 * 4. ROLE-1: Owner ⊇ Developer ⊇ Runner ⊇ Viewer (checked once), and effective scopes are exactly
 *    the union of what the principal holds (account role, grant, default role: check 2).
 * 5. SA-2: every live API key resolves to its owner and acts with exactly the owner's access;
 *    a revoked, expired or deleted one does not resolve, with the right reason.
 * 6. Isolation: a principal with no role in an account and no grant in it sees nothing of it
 *    (`getAccount`, `listWorkspaces`, `listMembers`, `listServiceAccounts`, `listCustomRoles`,
 *    `listInvitations`, `getWorkspace` are NOT_FOUND), and every mutating command it tries there
 *    (the `intrude` command) is NOT_FOUND and changes nothing.
 * 7. AUD-1: exactly one audit event per success (its action and account), none per refusal —
 *    published to subscribers and stored.
 * 8. PLAN-2: no account ever holds more seats than its plan allows, in the model and counted
 *    from the stored rows.
 */
import fc from 'fast-check';
import type { Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { Account, AccountRole, Membership } from '../../src/account/account.js';
import { DEFAULT_PLANS, type PlanCatalog } from '../../src/account/plans.js';
import type { ServiceAccount } from '../../src/account/service-account.js';
import type { MemoryStoreSnapshot } from '../../src/adapters/memory/memory-store.js';
import type { AuditAction, AuditEvent } from '../../src/audit/audit-event.js';
import type { ManualClock } from '../../src/core/clock.js';
import type { WorkspaceKitError } from '../../src/core/errors.js';
import type { AccountId, UserId, WorkspaceId } from '../../src/core/ids.js';
import { asServiceAccount, asUser, system, type Grantee, type Principal } from '../../src/core/principal.js';
import type { RegisteredUser } from '../../src/kit/account-commands.js';
import type { KitResult, WorkspaceKit } from '../../src/kit/workspace-kit.js';
import type { Store } from '../../src/ports/store.js';
import { createAccessSnapshot, type AccessExplanation } from '../../src/role/authorize.js';
import { BUILT_IN_ROLE_SCOPES } from '../../src/role/built-in-roles.js';
import type { CustomRole } from '../../src/role/custom-role.js';
import { WORKSPACE_SCOPES, type WorkspaceScope } from '../../src/role/scopes.js';
import { createTestKit } from '../../src/testing/test-kit.js';
import type { WorkspaceGrant } from '../../src/workspace/grant.js';
import type { Invitation } from '../../src/workspace/invitation.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import {
  AccessModel,
  BUILT_INS,
  MODEL_PLANS,
  MODEL_ROLE_SCOPES,
  USER_NAMES,
  emptyAccessStats,
  isUserKey,
  saIdOf,
  saKey,
  userKey,
  userOf,
  type AccessStats,
  type BuiltIn,
  type Expected,
  type GKey,
  type MAccount,
  type MInvitation,
  type MWorkspace,
  type PKey,
  type UserName,
} from '../support/access-reference-model.js';
import { codeOf, snapshotter, valueOf, type StoreFactory, type StoreRelease } from '../support/harness.js';

// ---------------------------------------------------------------------------------------------
// The system under test
// ---------------------------------------------------------------------------------------------

/**
 * The plan catalog of the test (a host's data): the default one, with `team` limited to 3
 * seats so that `tea` starts full (PLAN-2) and frees a seat when an invitation expires, is
 * revoked, or a member leaves.
 */
const TEST_PLANS: PlanCatalog = Object.freeze({
  ...DEFAULT_PLANS,
  team: { ...DEFAULT_PLANS['team']!, limits: { ...DEFAULT_PLANS['team']!.limits, seats: MODEL_PLANS['team']!.seats } },
});

interface Real {
  readonly kit: WorkspaceKit;
  readonly store: Store;
  readonly clock: ManualClock;
  readonly events: readonly AuditEvent[];
  /** The memory store's deep snapshot, when the adapter has one. */
  readonly snapshot: (() => MemoryStoreSnapshot) | null;
  /** Every stored row, read past the adapter (SQL adapters), when the runner gives a way. */
  readonly dump: (() => Promise<unknown>) | null;
  /** How many principals besides the actor get the kit's per-principal queries; `null`: all. */
  readonly principalsPerStep: number | null;
  /** Audit events read so far, per account: the cursor of the last one and how many. */
  readonly auditSeen: Map<string, { cursor: string | undefined; count: number }>;
  stepIndex: number;
}

type Cmd = fc.AsyncCommand<AccessModel, Real>;

const CHECKER = system('model-check');
const RUNNER = system('model-run');
const UNREGISTERED_USER_ID = 'usr_unregistered';
const GHOST_ACCOUNT_ID = 'acc_ghost';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const iso = (ms: number): string => new Date(ms).toISOString();

function principalOf(m: AccessModel, p: PKey): Principal {
  if (p === 'system') return RUNNER;
  if (isUserKey(p)) return asUser(m.user(userOf(p)).id ?? UNREGISTERED_USER_ID);
  return asServiceAccount(saIdOf(p)!);
}

function granteeOf(m: AccessModel, g: GKey): Grantee {
  return principalOf(m, g) as Grantee;
}

/** The model key of a real grantee. */
function gkeyOf(m: AccessModel, g: Grantee): GKey {
  if (g.type === 'service-account') return saKey(g.serviceAccountId);
  for (const u of m.users.values()) if (u.id === g.userId) return userKey(u.name);
  throw new Error(`unknown user ${g.userId}`);
}

function roleLabel(m: AccessModel, ref: string | null): string {
  if (ref === null) return 'null';
  const custom = m.roles.find((r) => r.id === ref);
  return custom ? `${ref}(${custom.name}${custom.deleted ? ', deleted' : ''})` : ref;
}

// ---------------------------------------------------------------------------------------------
// Executing one predicted step
// ---------------------------------------------------------------------------------------------

/** One command as the model predicts it and as the kit runs it. */
interface Step<T> {
  readonly label: string;
  readonly actor: PKey;
  readonly expected: Expected;
  /** The audit event a success records: its action and the model key of its account. */
  readonly audit: { readonly action: AuditAction; readonly account: string };
  readonly call: () => KitResult<T>;
  /** Checks the returned value and applies the success to the model. */
  readonly apply: (value: T) => void;
}

type AnyStep = Step<never> & { readonly run: () => Promise<Result<unknown, WorkspaceKitError>>; commit(): void };

/** Erases a step's value type: `run` keeps the value for `commit`. */
function step<T>(s: Step<T>): AnyStep {
  let value: { v: T } | null = null;
  return {
    ...(s as unknown as Step<never>),
    run: async () => {
      const result = await s.call();
      if (result.isOk()) value = { v: result.value };
      return result;
    },
    commit: () => {
      if (value === null) throw new Error('commit without a value');
      s.apply(value.v);
    },
  };
}

async function storedState(r: Real): Promise<unknown> {
  if (r.snapshot) return r.snapshot();
  if (r.dump) return r.dump();
  return null;
}

function expectOutcome(result: Result<unknown, WorkspaceKitError>, expected: Expected, label: string): void {
  const actual = codeOf(result);
  const detail = result.isErr() ? ` (${result.error.message})` : '';
  expect(actual, `${label}: expected ${expected.ok ? 'ok' : expected.code}, got ${actual}${detail}`).toBe(expected.ok ? 'ok' : expected.code);
  if (!expected.ok && result.isErr()) {
    if (expected.fields) expect(result.error, label).toMatchObject(expected.fields);
    if (expected.check) expect(expected.check(result.error), label).toBeNull();
  }
}

/**
 * Runs one step: the outcome must be the predicted one; a success is applied to the model and
 * recorded exactly one audit event (AUD-1); a refusal changed nothing (ROLE-6) and recorded
 * none. Then every invariant is checked.
 */
async function execute(m: AccessModel, r: Real, s: AnyStep, checkInvariants = true): Promise<void> {
  r.stepIndex += 1;
  const before = s.expected.ok ? null : await storedState(r);
  const published = r.events.length;
  const result = await s.run();
  expectOutcome(result, s.expected, s.label);
  m.note(s.expected);
  if (result.isOk()) {
    s.commit();
    expect(r.events.length - published, `${s.label}: AUD-1 one event per success`).toBe(1);
    const last = r.events[r.events.length - 1]!;
    expect({ action: last.action, accountId: last.accountId }, `${s.label}: the audit event`).toEqual({
      action: s.audit.action,
      accountId: m.account(s.audit.account).id,
    });
  } else {
    expect(r.events.length - published, `${s.label}: AUD-1 no event for a refusal`).toBe(0);
    if (before !== null) expect(await storedState(r), `${s.label}: ROLE-6 a refused command changed nothing`).toEqual(before);
  }
  if (checkInvariants) await expectInvariants(m, r, s.label, s.actor);
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

/** `expect(actual).toEqual(expected)`, comparing JSON first: the invariants run thousands per step. */
function same(actual: unknown, expected: unknown, message: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, message).toEqual(expected);
}

/** Every item of a paged port or kit listing. */
async function drain<T>(fetch: (cursor: string | undefined) => Promise<{ readonly items: readonly T[]; readonly nextCursor: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard += 1) {
    const page = await fetch(cursor);
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

/** What the store holds about access, read through its ports in one read-only unit of work. */
interface StoredAccess {
  readonly accounts: Account[];
  readonly memberships: Membership[];
  readonly serviceAccounts: ServiceAccount[];
  readonly workspaces: Workspace[];
  readonly roles: CustomRole[];
  readonly grants: WorkspaceGrant[];
  readonly invitations: Invitation[];
  readonly emails: ReadonlyMap<string, string>;
  readonly auditEvents: number;
}

/** The accounts commands can address; the other personal accounts only ever hold API keys' events. */
const ADDRESSED_ACCOUNTS: ReadonlySet<string> = new Set(['ent', 'tea', 'p:cy', 'p:ada']);

async function readStored(m: AccessModel, r: Real): Promise<StoredAccess> {
  return r.store.transaction(
    async (tx) => {
      const all = { limit: 500 } as const;
      const out: StoredAccess = {
        accounts: [],
        memberships: [],
        serviceAccounts: [],
        workspaces: [],
        roles: [],
        grants: [],
        invitations: [],
        emails: new Map(),
        auditEvents: 0,
      };
      let auditEvents = 0;
      for (const a of m.accounts.values()) {
        const id = a.id as AccountId;
        const account = await tx.accounts.getById(id);
        if (account) out.accounts.push(account);
        // The audit log is read from where the last step stopped.
        const seen = r.auditSeen.get(id) ?? { cursor: undefined, count: 0 };
        for (;;) {
          const page = await tx.audit.list(id, {}, { limit: 500, ...(seen.cursor !== undefined ? { cursor: seen.cursor } : {}) });
          seen.count += page.items.length;
          const last = page.items[page.items.length - 1];
          if (last) seen.cursor = String(last.sequence);
          if (page.nextCursor === null) break;
        }
        r.auditSeen.set(id, seen);
        auditEvents += seen.count;
        if (!ADDRESSED_ACCOUNTS.has(a.key)) continue;
        out.memberships.push(...(await drain((cursor) => tx.memberships.listByAccount(id, { ...all, cursor }))));
        out.serviceAccounts.push(...(await drain((cursor) => tx.serviceAccounts.listByAccount(id, { ...all, cursor }))));
        out.workspaces.push(...(await drain((cursor) => tx.workspaces.listByAccount(id, { ...all, cursor }))));
        out.roles.push(...(await drain((cursor) => tx.roles.listByAccount(id, { ...all, cursor }))));
        out.invitations.push(...(await drain((cursor) => tx.invitations.listByAccount(id, {}, { ...all, cursor }))));
      }
      for (const w of out.workspaces) out.grants.push(...(await drain((cursor) => tx.grants.listByWorkspace(w.id, { ...all, cursor }))));
      const emails = new Map<string, string>();
      for (const u of m.users.values()) {
        if (u.id === null) continue;
        const user = await tx.users.getById(u.id as UserId);
        if (user) emails.set(user.id, user.email);
      }
      return { ...out, emails, auditEvents };
    },
    { readOnly: true },
  );
}

function sourceKey(h: { readonly kind: string; readonly role?: unknown; readonly accountRole?: unknown }): string {
  return h.kind === 'account-role' ? `account-role:${String(h.accountRole ?? h.role)}` : `${h.kind}:${String(h.role)}`;
}

/** Every scope's sources in an explanation vs the model's holdings (ROLE-3, ROLE-4). */
function expectSources(m: AccessModel, p: GKey, ws: MWorkspace, explanation: AccessExplanation, where: string): void {
  const holdings = m.holdings(p, ws).map((h) => ({ key: sourceKey(h), scopes: h.scopes }));
  let want = '';
  let got = '';
  for (const scope of WORKSPACE_SCOPES) {
    const w = holdings.filter((h) => h.scopes.has(scope)).map((h) => h.key);
    const g = (explanation.sources[scope] ?? []).map(sourceKey);
    if (w.length > 0) want += `${scope}<-${w.sort().join('+')};`;
    if (g.length > 0) got += `${scope}<-${g.sort().join('+')};`;
  }
  if (want !== got) expect(got.split(';'), `${where}: the sources of each scope`).toEqual(want.split(';'));
}

/**
 * The principals that get the kit's per-principal queries after this step: the step's actor,
 * then a rotation through every principal (all of them when `principalsPerStep` is unset).
 */
function principalsToQuery(m: AccessModel, r: Real, actor: PKey | null): GKey[] {
  const all = m.principals();
  if (r.principalsPerStep === null || all.length <= r.principalsPerStep) return all;
  const out = new Set<GKey>();
  if (actor !== null && actor !== 'system') out.add(actor);
  for (let i = 0; out.size < r.principalsPerStep + (actor !== null && actor !== 'system' ? 1 : 0) && i < all.length; i += 1) {
    out.add(all[(r.stepIndex * r.principalsPerStep + i) % all.length]!);
  }
  return [...out];
}

const accountHandle = (account: MAccount): string => (account.key.startsWith('p:') ? account.key.slice(2) : account.key);

/**
 * The read paths of one workspace for `p`: by full handle (HDL-1), its grants (needs
 * `see_workspace_settings`), and another principal's access explained (needs
 * `manage_workspace_users`); a workspace `p` cannot see is NOT_FOUND on every path.
 */
async function expectReads(m: AccessModel, r: Real, p: GKey, ws: MWorkspace, other: GKey, at: (what: string) => string): Promise<void> {
  const principal = principalOf(m, p);
  const scopes = m.scopes(p, ws);
  const sees = scopes.has('see_workspace');
  const where = at(`${p} in ${ws.key}`);
  const byHandle = await r.kit.getWorkspaceByHandle(principal, { fullHandle: `${accountHandle(m.account(ws.account))}/${ws.handle}` });
  same(codeOf(byHandle), sees ? 'ok' : 'NOT_FOUND', `${where}: getWorkspaceByHandle`);
  const grants = await r.kit.listWorkspaceAccess(principal, { workspaceId: ws.id });
  same(codeOf(grants), !sees ? 'NOT_FOUND' : scopes.has('see_workspace_settings') ? 'ok' : 'FORBIDDEN', `${where}: listWorkspaceAccess`);
  const explained = await r.kit.explainAccess(principal, { workspaceId: ws.id, principal: principalOf(m, other) });
  const expected = !sees ? 'NOT_FOUND' : other === p || scopes.has('manage_workspace_users') ? 'ok' : 'FORBIDDEN';
  same(codeOf(explained), expected, `${where}: explainAccess of ${other}`);
  if (explained.isOk()) same(sorted(explained.value.scopes), sorted(m.scopes(other, ws)), `${where}: the access of ${other}`);
}

async function expectInvariants(m: AccessModel, r: Real, label: string, actor: PKey | null): Promise<void> {
  const at = (what: string): string => `${label}: ${what}`;
  const stored = await readStored(m, r);

  // AUD-1: the events published and the events stored.
  same(r.events.length, m.events, at('AUD-1 published events'));
  same(stored.auditEvents, m.events, at('AUD-1 stored events'));

  // ACC-4, and the stored access data equals the model's.
  for (const account of m.accounts.values()) {
    const members = stored.memberships.filter((x) => x.accountId === account.id);
    const byName = Object.fromEntries(members.map((x) => [userOf(gkeyOf(m, asUser(x.userId)) as `u:${UserName}`), x.role]));
    same(byName, Object.fromEntries(account.members), at(`members of ${account.key}`));
    if (account.kind === 'organization') {
      if (!members.some((x) => x.role === 'owner')) expect.fail(at(`ACC-4 ${account.key} has no Owner`));
    }
    same(
      sorted(stored.serviceAccounts.filter((x) => x.accountId === account.id).map((x) => `${x.id}:${x.name}`)),
      sorted(m.serviceAccounts.filter((x) => !x.deleted && x.account === account.key).map((x) => `${x.id}:${x.name}`)),
      at(`service accounts of ${account.key}`),
    );
    same(
      sorted(stored.roles.filter((x) => x.accountId === account.id).map((x) => JSON.stringify([x.id, x.name, x.scopes, x.inherits]))),
      sorted(m.roles.filter((x) => !x.deleted && x.account === account.key).map((x) => JSON.stringify([x.id, x.name, x.scopes, x.inherits]))),
      at(`custom roles of ${account.key}`),
    );
  }
  for (const ws of m.workspaces.values()) {
    const row = stored.workspaces.find((w) => w.id === ws.id);
    same(row?.defaultRole, ws.defaultRole, at(`default role of ${ws.key}`));
    const grants = stored.grants.filter((g) => g.workspaceId === ws.id);
    same(sorted(grants.map((g) => `${gkeyOf(m, g.grantee)}=${g.role}`)), sorted([...ws.grants].map(([k, v]) => `${k}=${v}`)), at(`grants of ${ws.key}`));
  }
  same(
    sorted(stored.invitations.map((i) => `${i.id}:${i.email}:${i.status}:${i.expiresAt}`)),
    sorted(m.invitations.map((i) => `${i.id}:${i.email}:${i.status}:${iso(i.expiresAt)}`)),
    at('invitations (INV-1: status and expiry)'),
  );

  // PLAN-2: seats never exceed the plan's limit, in the model and counted from the stored rows.
  const now = iso(m.now);
  for (const account of m.accounts.values()) {
    const max = MODEL_PLANS[account.planId]!.seats;
    if (max === null) continue;
    if (m.seatEmails(account).size > max) expect.fail(at(`PLAN-2 the model holds ${m.seatEmails(account).size} seats of ${account.key} > ${max}`));
    const emails = new Set<string>();
    for (const x of stored.memberships) if (x.accountId === account.id) emails.add(stored.emails.get(x.userId)!);
    for (const g of stored.grants) if (g.accountId === account.id && g.grantee.type === 'user') emails.add(stored.emails.get(g.grantee.userId)!);
    for (const i of stored.invitations) if (i.accountId === account.id && i.status === 'pending' && i.expiresAt > now) emails.add(i.email);
    if (emails.size > max) expect.fail(at(`PLAN-2 the store holds ${emails.size} seats of ${account.key} > ${max}: ${[...emails].join(', ')}`));
  }

  // ROLE-1 ROLE-3 ROLE-4 SHR-1 COL-2: every principal × workspace, through the pure authorizer
  // over the stored data, scope by scope and source by source.
  const access = createAccessSnapshot({ ...stored, customRoles: stored.roles });
  for (const p of m.principals()) {
    const principal = principalOf(m, p);
    for (const ws of m.workspaces.values()) {
      const expected = m.scopes(p, ws);
      const where = at(`${p} in ${ws.key}`);
      same(sorted(access.scopesOf(principal, ws.id as WorkspaceId)), sorted(expected), `${where}: effective scopes`);
      for (const scope of WORKSPACE_SCOPES) {
        if (access.can(principal, scope, ws.id as WorkspaceId) !== expected.has(scope)) expect.fail(`${where}: can(${scope}) should be ${expected.has(scope)}`);
      }
      expectSources(m, p, ws, access.explain(principal, ws.id as WorkspaceId), where);
    }
  }

  // The same through the kit, for the actor and a rotation of the other principals; and
  // isolation: what a principal may not see does not exist for it.
  const everyone = m.principals();
  const reads = r.stepIndex % 3 === 0;
  for (const p of principalsToQuery(m, r, actor)) {
    const principal = principalOf(m, p);
    for (const ws of m.workspaces.values()) {
      if (reads) await expectReads(m, r, p, ws, everyone[r.stepIndex % everyone.length]!, at);
      const expected = sorted(m.scopes(p, ws));
      const where = at(`${p} in ${ws.key}`);
      const sees = expected.includes('see_workspace');
      const own = await r.kit.explainAccess(principal, { workspaceId: ws.id });
      same(codeOf(own), sees ? 'ok' : 'NOT_FOUND', `${where}: explainAccess by itself`);
      if (own.isOk()) {
        same(sorted(own.value.scopes), expected, `${where}: its own view`);
        expectSources(m, p, ws, own.value, where);
      } else {
        same(codeOf(await r.kit.getWorkspace(principal, { workspaceId: ws.id })), 'NOT_FOUND', `${where}: getWorkspace`);
        if (r.stepIndex % 4 === 0 || expected.length > 0) {
          const explained = valueOf(await r.kit.explainAccess(CHECKER, { workspaceId: ws.id, principal }));
          same(sorted(explained.scopes), expected, `${where}: explained to the system`);
        }
      }
    }
    for (const account of m.accounts.values()) {
      // The accounts commands address, and the principal's own; the other personal accounts
      // hold nothing but their owners' API key events.
      if (!ADDRESSED_ACCOUNTS.has(account.key) && !(isUserKey(p) && account.owner === userOf(p))) continue;
      const role = m.accountRole(p, account);
      const where = at(`${account.key} by ${p}`);
      const seen = await r.kit.getAccount(principal, { accountId: account.id });
      same(codeOf(seen), role === null ? 'NOT_FOUND' : 'ok', `${where}: getAccount`);
      // The workspaces it may see (ROLE-1: `see_workspace`); a collaborator holds no role in a
      // personal account yet lists those shared with it; seeing nothing there is NOT_FOUND.
      const visible = sorted([...m.workspaces.values()].filter((w) => w.account === account.key && m.sees(p, w)).map((w) => w.handle));
      const listed = await r.kit.listWorkspaces(principal, { accountId: account.id, limit: 50 });
      if (role === null && visible.length === 0) {
        same(codeOf(listed), 'NOT_FOUND', `${where}: listWorkspaces`);
      } else {
        same(codeOf(listed), 'ok', `${where}: listWorkspaces`);
        if (listed.isOk()) same(listed.value.items.map((w) => w.handle), visible, `${where}: listWorkspaces lists what it may see`);
      }
      if (account.kind === 'organization') {
        same(codeOf(await r.kit.listMembers(principal, { accountId: account.id })), role === null ? 'NOT_FOUND' : 'ok', `${where}: listMembers`);
      }
      if (reads) {
        // ACC-3: Members see the account's service accounts and custom roles; invitations are
        // for those who manage members.
        const visible = role === null ? 'NOT_FOUND' : 'ok';
        same(codeOf(await r.kit.listServiceAccounts(principal, { accountId: account.id })), visible, `${where}: listServiceAccounts`);
        same(codeOf(await r.kit.listCustomRoles(principal, { accountId: account.id })), visible, `${where}: listCustomRoles`);
        const invitations = role === null ? 'NOT_FOUND' : m.accountScopes(p, account).has('manage_members') ? 'ok' : 'FORBIDDEN';
        same(codeOf(await r.kit.listInvitations(principal, { accountId: account.id })), invitations, `${where}: listInvitations`);
      }
    }
  }

  // SA-2: a key acts exactly as its owner; revoked, expired and deleted keys do not resolve.
  for (const key of m.apiKeys) {
    const resolved = await r.kit.resolveApiKey({ key: key.secret });
    const refusal = m.keyRefusal(key);
    const where = at(`key ${key.id} of ${key.owner}`);
    if (refusal !== null) {
      same(codeOf(resolved), 'UNAUTHENTICATED', `${where}: SA-2 must not resolve`);
      if (resolved.isErr()) same(resolved.error.code === 'UNAUTHENTICATED' ? resolved.error.reason : null, refusal, `${where}: refusal reason`);
      if (refusal === 'expired') m.stats.keysRefusedExpired += 1;
      if (refusal === 'revoked') m.stats.keysRefusedRevoked += 1;
      if (refusal === 'invalid-key') m.stats.keysOfDeletedOwner += 1;
      continue;
    }
    const value = valueOf(resolved);
    same(value.principal, principalOf(m, key.owner), `${where}: SA-2 acts as its owner`);
    m.stats.keysResolved += 1;
    let any = false;
    for (const ws of m.workspaces.values()) {
      const owners = sorted(m.scopes(key.owner, ws));
      if (owners.length > 0) any = true;
      same(sorted(access.scopesOf(value.principal, ws.id as WorkspaceId)), owners, `${where}: SA-2 has its owner's access in ${ws.key}`);
    }
    if (!any) m.stats.keysOfPrincipalWithoutAccess += 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Step builders (shared by the commands and the intrusions)
// ---------------------------------------------------------------------------------------------

function shareStep(m: AccessModel, r: Real, actor: PKey, ws: MWorkspace, grantee: GKey, role: string): AnyStep {
  return step({
    actor,
    label: `share(${actor}: ${grantee} in ${ws.key} as ${roleLabel(m, role)})`,
    expected: m.predictShare(actor, ws, grantee, role),
    audit: { action: 'workspace.shared', account: ws.account },
    call: () => r.kit.shareWorkspace(principalOf(m, actor), { workspaceId: ws.id, grantee: granteeOf(m, grantee), role }),
    apply: (g) => {
      expect(g).toMatchObject({ workspaceId: ws.id, role, grantee: granteeOf(m, grantee) });
      m.applyShare(ws, grantee, role);
    },
  });
}

function changeRoleStep(m: AccessModel, r: Real, actor: PKey, ws: MWorkspace, grantee: GKey, role: string): AnyStep {
  return step({
    actor,
    label: `changeWorkspaceRole(${actor}: ${grantee} in ${ws.key} from ${roleLabel(m, ws.grants.get(grantee) ?? null)} to ${roleLabel(m, role)})`,
    expected: m.predictChangeRole(actor, ws, grantee, role),
    audit: { action: 'workspace.share-changed', account: ws.account },
    call: () => r.kit.changeWorkspaceRole(principalOf(m, actor), { workspaceId: ws.id, grantee: granteeOf(m, grantee), role }),
    apply: (g) => {
      expect(g.role).toBe(role);
      m.applyChangeRole(ws, grantee, role);
    },
  });
}

function unshareStep(m: AccessModel, r: Real, actor: PKey, ws: MWorkspace, grantee: GKey): AnyStep {
  return step({
    actor,
    label: `unshare(${actor}: ${grantee} from ${ws.key})`,
    expected: m.predictUnshare(actor, ws, grantee),
    audit: { action: 'workspace.unshared', account: ws.account },
    call: () => r.kit.unshareWorkspace(principalOf(m, actor), { workspaceId: ws.id, grantee: granteeOf(m, grantee) }),
    apply: () => m.applyUnshare(actor, ws, grantee),
  });
}

function setDefaultStep(m: AccessModel, r: Real, actor: PKey, ws: MWorkspace, role: string | null): AnyStep {
  return step({
    actor,
    label: `setDefaultWorkspaceRole(${actor}: ${ws.key} to ${roleLabel(m, role)})`,
    expected: m.predictSetDefault(actor, ws, role),
    audit: { action: 'workspace.default-role-changed', account: ws.account },
    call: () => r.kit.setDefaultWorkspaceRole(principalOf(m, actor), { workspaceId: ws.id, role }),
    apply: (w) => {
      expect(w.defaultRole).toBe(role);
      m.applySetDefault(ws, role);
    },
  });
}

function createRoleStep(
  m: AccessModel,
  r: Real,
  actor: PKey,
  account: MAccount | null,
  name: string,
  scopes: readonly WorkspaceScope[],
  inherits: BuiltIn | null,
): AnyStep {
  return step({
    actor,
    label: `createCustomRole(${actor}: ${account?.key ?? 'ghost'} ${JSON.stringify(name)} [${scopes.join(',')}] inherits ${inherits})`,
    expected: m.predictCreateRole(actor, account, name, scopes, inherits),
    audit: { action: 'role.created', account: account?.key ?? '' },
    call: () => r.kit.createCustomRole(principalOf(m, actor), { accountId: account?.id ?? GHOST_ACCOUNT_ID, name, scopes: [...scopes], inherits }),
    apply: (role) => {
      expect(role).toMatchObject({ accountId: account!.id, name: name.trim(), inherits });
      m.applyCreateRole(account!, role.id, name, scopes, inherits);
    },
  });
}

function deleteRoleStep(m: AccessModel, r: Real, actor: PKey, roleId: string): AnyStep {
  const role = m.roles.find((x) => x.id === roleId);
  return step({
    actor,
    label: `deleteCustomRole(${actor}: ${roleLabel(m, roleId)})`,
    expected: m.predictDeleteRole(actor, roleId),
    audit: { action: 'role.deleted', account: role?.account ?? '' },
    call: () => r.kit.deleteCustomRole(principalOf(m, actor), { roleId }),
    apply: () => m.applyDeleteRole(roleId),
  });
}

function userIdOf(m: AccessModel, name: UserName): string {
  return m.user(name).id ?? UNREGISTERED_USER_ID;
}

function addMemberStep(m: AccessModel, r: Real, actor: PKey, account: MAccount | null, user: UserName, role: AccountRole): AnyStep {
  return step({
    actor,
    label: `addMember(${actor}: ${user} to ${account?.key ?? 'ghost'} as ${role})`,
    expected: m.predictAddMember(actor, account, user, role),
    audit: { action: 'member.added', account: account?.key ?? '' },
    call: () => r.kit.addMember(principalOf(m, actor), { accountId: account?.id ?? GHOST_ACCOUNT_ID, userId: userIdOf(m, user), role }),
    apply: () => m.applyAddMember(account!, user, role),
  });
}

function changeMemberStep(m: AccessModel, r: Real, actor: PKey, account: MAccount | null, user: UserName, role: AccountRole): AnyStep {
  return step({
    actor,
    label: `changeMemberRole(${actor}: ${user} in ${account?.key ?? 'ghost'} from ${account?.members.get(user) ?? 'none'} to ${role})`,
    expected: m.predictChangeMember(actor, account, user, role),
    audit: { action: 'member.role-changed', account: account?.key ?? '' },
    call: () => r.kit.changeMemberRole(principalOf(m, actor), { accountId: account?.id ?? GHOST_ACCOUNT_ID, userId: userIdOf(m, user), role }),
    apply: () => m.applyChangeMember(account!, user, role),
  });
}

function removeMemberStep(m: AccessModel, r: Real, actor: PKey, account: MAccount | null, user: UserName): AnyStep {
  return step({
    actor,
    label: `removeMember(${actor}: ${user} (${account?.members.get(user) ?? 'none'}) from ${account?.key ?? 'ghost'})`,
    expected: m.predictRemoveMember(actor, account, user),
    audit: { action: 'member.removed', account: account?.key ?? '' },
    call: () => r.kit.removeMember(principalOf(m, actor), { accountId: account?.id ?? GHOST_ACCOUNT_ID, userId: userIdOf(m, user) }),
    apply: () => m.applyRemoveMember(account!, user),
  });
}

function inviteMemberStep(m: AccessModel, r: Real, actor: PKey, account: MAccount | null, email: string, role: AccountRole): AnyStep {
  return step({
    actor,
    label: `inviteMember(${actor}: ${email} to ${account?.key ?? 'ghost'} as ${role})`,
    expected: m.predictInviteMember(actor, account, email, role),
    audit: { action: 'invitation.created', account: account?.key ?? '' },
    call: () => r.kit.inviteMember(principalOf(m, actor), { accountId: account?.id ?? GHOST_ACCOUNT_ID, email, role }),
    apply: (issued) => {
      expect(issued.invitation).toMatchObject({ email, status: 'pending', expiresAt: iso(m.now + 7 * DAY) });
      m.applyInvite(issued.invitation.id, account!, email, { type: 'account', role }, issued.token.reveal());
    },
  });
}

function inviteCollaboratorStep(m: AccessModel, r: Real, actor: PKey, ws: MWorkspace, email: string, role: string | undefined): AnyStep {
  const ref = role ?? 'developer';
  return step({
    actor,
    label: `inviteCollaborator(${actor}: ${email} to ${ws.key} as ${role === undefined ? 'default' : roleLabel(m, role)})`,
    expected: m.predictInviteCollaborator(actor, ws, email, ref),
    audit: { action: 'invitation.created', account: ws.account },
    call: () =>
      r.kit.inviteCollaborator(principalOf(m, actor), { workspaceId: ws.id, email, ...(role !== undefined ? { role } : {}) }),
    apply: (issued) => {
      expect(issued.invitation).toMatchObject({ email, status: 'pending', target: { type: 'workspace', workspaceId: ws.id, role: ref } });
      m.applyInvite(issued.invitation.id, m.account(ws.account), email, { type: 'workspace', workspace: ws.key, role: ref }, issued.token.reveal());
    },
  });
}

function invitationLabel(m: AccessModel, inv: MInvitation | null): string {
  if (!inv) return 'inv_missing';
  const target = inv.target.type === 'account' ? `${inv.account} as ${inv.target.role}` : `${inv.target.workspace} as ${roleLabel(m, inv.target.role)}`;
  return `${inv.id}(${inv.email} → ${target}, ${m.invitationStatus(inv)})`;
}

function resendStep(m: AccessModel, r: Real, actor: PKey, inv: MInvitation | null): AnyStep {
  return step({
    actor,
    label: `resendInvitation(${actor}: ${invitationLabel(m, inv)})`,
    expected: m.predictResend(actor, inv),
    audit: { action: 'invitation.resent', account: inv?.account ?? '' },
    call: () => r.kit.resendInvitation(principalOf(m, actor), { invitationId: inv?.id ?? 'inv_missing' }),
    apply: (issued) => {
      expect(issued.invitation).toMatchObject({ id: inv!.id, status: 'pending', expiresAt: iso(m.now + 7 * DAY) });
      m.applyResend(inv!, issued.token.reveal());
    },
  });
}

function revokeInvitationStep(m: AccessModel, r: Real, actor: PKey, inv: MInvitation | null): AnyStep {
  return step({
    actor,
    label: `revokeInvitation(${actor}: ${invitationLabel(m, inv)})`,
    expected: m.predictRevokeInvitation(actor, inv),
    audit: { action: 'invitation.revoked', account: inv?.account ?? '' },
    call: () => r.kit.revokeInvitation(principalOf(m, actor), { invitationId: inv?.id ?? 'inv_missing' }),
    apply: (view) => {
      expect(view.status).toBe('revoked');
      m.applyRevokeInvitation(inv!);
    },
  });
}

function acceptStep(m: AccessModel, r: Real, actor: PKey, inv: MInvitation | null, token: string, withNewUser: boolean): AnyStep {
  const handle = inv ? inv.email.split('@')[0]! : 'nobody';
  return step({
    actor,
    label: `acceptInvitation(${actor}${withNewUser ? ' +newUser' : ''}: ${invitationLabel(m, inv)}, ${inv && token === inv.tokens[inv.tokens.length - 1] ? 'current token' : 'stale/forged token'})`,
    expected: m.predictAccept(actor, inv, token, withNewUser),
    audit: { action: 'invitation.accepted', account: inv?.account ?? '' },
    call: () =>
      r.kit.acceptInvitation(principalOf(m, actor), {
        token,
        ...(withNewUser ? { newUser: { displayName: handle, handle } } : {}),
      }),
    apply: (accepted) => {
      const created = accepted.createdAccount ? { userId: accepted.user.id, accountId: accepted.createdAccount.id } : null;
      const who = m.applyAccept(inv!, created);
      expect(accepted.user.email).toBe(m.user(who).email);
      expect(accepted.invitation.status).toBe('accepted');
    },
  });
}

function rejectStep(m: AccessModel, r: Real, actor: PKey, inv: MInvitation | null, token: string): AnyStep {
  return step({
    actor,
    label: `rejectInvitation(${actor}: ${invitationLabel(m, inv)})`,
    expected: m.predictReject(actor, inv, token),
    audit: { action: 'invitation.rejected', account: inv?.account ?? '' },
    call: () => r.kit.rejectInvitation(principalOf(m, actor), { token }),
    apply: (view) => {
      expect(view.status).toBe('rejected');
      m.applyReject(inv!);
    },
  });
}

function createServiceAccountStep(m: AccessModel, r: Real, actor: PKey, account: MAccount | null, name: string): AnyStep {
  return step({
    actor,
    label: `createServiceAccount(${actor}: ${name} in ${account?.key ?? 'ghost'})`,
    expected: m.predictCreateServiceAccount(actor, account, name),
    audit: { action: 'service-account.created', account: account?.key ?? '' },
    call: () => r.kit.createServiceAccount(principalOf(m, actor), { accountId: account?.id ?? GHOST_ACCOUNT_ID, name }),
    apply: (sa) => {
      expect(sa).toMatchObject({ accountId: account!.id, name });
      m.applyCreateServiceAccount(account!, sa.id, name);
    },
  });
}

function deleteServiceAccountStep(m: AccessModel, r: Real, actor: PKey, saId: string): AnyStep {
  const sa = m.serviceAccount(saId);
  return step({
    actor,
    label: `deleteServiceAccount(${actor}: ${saId}${sa ? `(${sa.name} of ${sa.account}${sa.deleted ? ', deleted' : ''})` : ''})`,
    expected: m.predictDeleteServiceAccount(actor, saId),
    audit: { action: 'service-account.deleted', account: sa?.account ?? '' },
    call: () => r.kit.deleteServiceAccount(principalOf(m, actor), { serviceAccountId: saId }),
    apply: () => m.applyDeleteServiceAccount(saId),
  });
}

function createKeyStep(m: AccessModel, r: Real, actor: PKey, owner: GKey | null, expiresAt: number | null): AnyStep {
  const predicted = m.predictCreateKey(actor, owner, expiresAt);
  const keyOwner = predicted.owner;
  const auditAccount =
    keyOwner === null ? '' : isUserKey(keyOwner) ? (m.user(userOf(keyOwner)).personalAccount ?? '') : (m.serviceAccount(saIdOf(keyOwner)!)?.account ?? '');
  return step({
    actor,
    label: `createApiKey(${actor}: for ${owner ?? 'self'}, expires ${expiresAt === null ? 'never' : iso(expiresAt)})`,
    expected: predicted.expected,
    audit: { action: 'api-key.created', account: auditAccount },
    call: () => {
      const input: { name: string; expiresAt?: string; serviceAccountId?: string; userId?: string } = { name: 'k' };
      if (expiresAt !== null) input.expiresAt = iso(expiresAt);
      if (owner !== null && isUserKey(owner)) input.userId = userIdOf(m, userOf(owner));
      if (owner !== null && !isUserKey(owner)) input.serviceAccountId = saIdOf(owner)!;
      return r.kit.createApiKey(principalOf(m, actor), input);
    },
    apply: (issued) => {
      expect(issued.key.owner).toEqual(principalOf(m, keyOwner!));
      m.applyCreateKey(issued.key.id, keyOwner!, issued.secret.reveal(), expiresAt);
    },
  });
}

function keyLabel(m: AccessModel, keyId: string): string {
  const key = m.apiKeys.find((k) => k.id === keyId);
  return key ? `${keyId}(of ${key.owner}, ${m.keyRefusal(key) ?? 'live'})` : keyId;
}

function keyAccount(m: AccessModel, keyId: string): string {
  const key = m.apiKeys.find((k) => k.id === keyId);
  if (!key) return '';
  return isUserKey(key.owner) ? (m.user(userOf(key.owner)).personalAccount ?? '') : (m.serviceAccount(saIdOf(key.owner)!)?.account ?? '');
}

function revokeKeyStep(m: AccessModel, r: Real, actor: PKey, keyId: string): AnyStep {
  return step({
    actor,
    label: `revokeApiKey(${actor}: ${keyLabel(m, keyId)})`,
    expected: m.predictRevokeKey(actor, keyId),
    audit: { action: 'api-key.revoked', account: keyAccount(m, keyId) },
    call: () => r.kit.revokeApiKey(principalOf(m, actor), { keyId }),
    apply: () => m.applyRevokeKey(keyId),
  });
}

function rotateKeyStep(m: AccessModel, r: Real, actor: PKey, keyId: string, overlapHours: number): AnyStep {
  return step({
    actor,
    label: `rotateApiKey(${actor}: ${keyLabel(m, keyId)}, overlap ${overlapHours}h)`,
    expected: m.predictRotateKey(actor, keyId),
    audit: { action: 'api-key.rotated', account: keyAccount(m, keyId) },
    call: () => r.kit.rotateApiKey(principalOf(m, actor), { keyId, overlapHours }),
    apply: (rotated) => m.applyRotateKey(keyId, rotated.key.id, rotated.secret.reveal(), overlapHours),
  });
}

// ---------------------------------------------------------------------------------------------
// Generators: picks are resolved against the model when the command runs
// ---------------------------------------------------------------------------------------------

/**
 * Who acts: a user by name, a service account (live or deleted), the system, a `boss` (an
 * Owner or Admin of the account the command addresses) or an `insider` (a principal holding
 * a grant in the workspace addressed, or a member of the account addressed) — so that
 * commands often get past authorization and reach the state and escalation checks.
 */
type ActorPick =
  | { readonly kind: 'user'; readonly name: UserName }
  | { readonly kind: 'boss' | 'insider' | 'sa'; readonly pick: number }
  | { readonly kind: 'system' };

const actorArb: fc.Arbitrary<ActorPick> = fc.oneof(
  { arbitrary: fc.constantFrom(...USER_NAMES).map((name): ActorPick => ({ kind: 'user', name })), weight: 8 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): ActorPick => ({ kind: 'boss', pick })), weight: 6 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): ActorPick => ({ kind: 'insider', pick })), weight: 4 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): ActorPick => ({ kind: 'sa', pick })), weight: 2 },
  { arbitrary: fc.constant<ActorPick>({ kind: 'system' }), weight: 1 },
);

function registered(m: AccessModel, name: UserName): UserName {
  return m.user(name).id === null ? 'eve' : name;
}

/** `context`: the key of the workspace or account the command addresses, if any. */
function resolveActor(m: AccessModel, a: ActorPick, context: string | undefined): PKey {
  if (a.kind === 'user') return userKey(registered(m, a.name));
  const ws = context === undefined ? undefined : m.workspaces.get(context);
  if (a.kind === 'insider') {
    const insiders: GKey[] = ws ? [...ws.grants.keys()] : [];
    const account = ws ? m.account(ws.account) : context === undefined ? undefined : m.accounts.get(context);
    if (insiders.length === 0 && account) insiders.push(...[...account.members.keys()].map(userKey));
    if (insiders.length > 0) return insiders[a.pick % insiders.length]!;
  }
  if (a.kind === 'boss' || a.kind === 'insider') {
    const account = ws ? m.account(ws.account) : context === undefined ? undefined : m.accounts.get(context);
    if (account?.kind === 'personal' && account.owner !== null) return userKey(account.owner);
    const bosses = account ? [...account.members].filter(([, role]) => role !== 'member').map(([name]) => name) : [];
    return bosses.length > 0 ? userKey(bosses[a.pick % bosses.length]!) : 'system';
  }
  if (a.kind === 'sa' && m.serviceAccounts.length > 0) return saKey(m.serviceAccounts[a.pick % m.serviceAccounts.length]!.id);
  return 'system';
}

const describeActor = (a: ActorPick): string => (a.kind === 'user' ? a.name : a.kind === 'system' ? 'system' : `${a.kind}#${a.pick}`);

const WORKSPACE_KEYS = ['e1', 'e2', 'e3', 't1', 't2', 'p1', 'p2', 'a1'] as const;
const wsArb = fc.oneof(
  { arbitrary: fc.constantFrom('e1', 'e2', 'e3'), weight: 5 },
  { arbitrary: fc.constantFrom('t1', 't2'), weight: 3 },
  { arbitrary: fc.constantFrom('p1', 'p2', 'a1'), weight: 3 },
);

type GranteePick = { readonly kind: 'user'; readonly name: UserName } | { readonly kind: 'sa'; readonly pick: number } | { readonly kind: 'granted'; readonly pick: number };

const granteeArb: fc.Arbitrary<GranteePick> = fc.oneof(
  { arbitrary: fc.constantFrom(...USER_NAMES).map((name): GranteePick => ({ kind: 'user', name })), weight: 5 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): GranteePick => ({ kind: 'sa', pick })), weight: 2 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): GranteePick => ({ kind: 'granted', pick })), weight: 4 },
);

function resolveGrantee(m: AccessModel, ws: MWorkspace, g: GranteePick): GKey {
  if (g.kind === 'granted' && ws.grants.size > 0) return [...ws.grants.keys()][g.pick % ws.grants.size]!;
  if (g.kind === 'sa' && m.serviceAccounts.length > 0) return saKey(m.serviceAccounts[g.pick % m.serviceAccounts.length]!.id);
  return userKey(registered(m, g.kind === 'user' ? g.name : 'dee'));
}

const describeGrantee = (g: GranteePick): string => (g.kind === 'user' ? g.name : `${g.kind}#${g.pick}`);

type RolePick = { readonly kind: 'builtin'; readonly role: BuiltIn } | { readonly kind: 'custom'; readonly pick: number } | { readonly kind: 'unknown' };

const roleArb: fc.Arbitrary<RolePick> = fc.oneof(
  { arbitrary: fc.constantFrom(...BUILT_INS).map((role): RolePick => ({ kind: 'builtin', role })), weight: 6 },
  { arbitrary: fc.constant<RolePick>({ kind: 'builtin', role: 'developer' }), weight: 2 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): RolePick => ({ kind: 'custom', pick })), weight: 4 },
  { arbitrary: fc.constant<RolePick>({ kind: 'unknown' }), weight: 1 },
);

function resolveRolePick(m: AccessModel, p: RolePick): string {
  if (p.kind === 'builtin') return p.role;
  if (p.kind === 'custom' && m.roles.length > 0) return m.roles[p.pick % m.roles.length]!.id;
  return 'role_missing';
}

const describeRole = (p: RolePick): string => (p.kind === 'builtin' ? p.role : p.kind === 'custom' ? `custom#${p.pick}` : 'unknown');

const accountArb = fc.oneof(
  { arbitrary: fc.constantFrom('ent', 'tea'), weight: 8 },
  { arbitrary: fc.constantFrom('p:cy', 'p:ada'), weight: 3 },
  { arbitrary: fc.constant('ghost'), weight: 1 },
);

const accountOf = (m: AccessModel, key: string): MAccount | null => m.accounts.get(key) ?? null;

const accountRoleArb = fc.oneof(
  { arbitrary: fc.constant<AccountRole>('member'), weight: 3 },
  { arbitrary: fc.constant<AccountRole>('admin'), weight: 2 },
  { arbitrary: fc.constant<AccountRole>('owner'), weight: 2 },
);

const emailOf = (name: UserName): string => `${name}@example.test`;

/** A user named, or the `pick`-th current member of the account addressed (Owners included). */
type UserPick = { readonly kind: 'named'; readonly name: UserName } | { readonly kind: 'member'; readonly pick: number };

const userPickArb: fc.Arbitrary<UserPick> = fc.oneof(
  { arbitrary: fc.constantFrom(...USER_NAMES).map((name): UserPick => ({ kind: 'named', name })), weight: 1 },
  { arbitrary: fc.nat({ max: 7 }).map((pick): UserPick => ({ kind: 'member', pick })), weight: 2 },
);

function resolveUser(m: AccessModel, account: MAccount | null, u: UserPick): UserName {
  if (u.kind === 'named') return u.name;
  const members = account ? [...account.members.keys()].sort() : [];
  return members.length > 0 ? members[u.pick % members.length]! : 'cy';
}

const describeUser = (u: UserPick): string => (u.kind === 'named' ? u.name : `member#${u.pick}`);

/** Custom role presets (ROLE-2): with and without `see_workspace`, one that manages users. */
const ROLE_PRESETS: readonly { readonly scopes: readonly WorkspaceScope[]; readonly inherits: BuiltIn | null }[] = [
  { scopes: ['manage_deployments'], inherits: 'runner' },
  { scopes: ['see_workspace', 'manage_workspace_users', 'manage_workspace_service_accounts'], inherits: 'viewer' },
  { scopes: ['run_deployments'], inherits: null },
  { scopes: [], inherits: 'developer' },
  { scopes: ['see_workspace', 'set_default_workspace_role'], inherits: null },
  { scopes: [], inherits: null },
];
const ROLE_NAMES = ['deployer', 'usermgr', 'blind', 'devlike', ' defaulter ', ''] as const;

/** Mostly an invitation still stored as pending (expired ones included), else any, else none. */
function pickInvitation(m: AccessModel, pick: { readonly n: number; readonly pending: boolean } | null): MInvitation | null {
  if (pick === null || m.invitations.length === 0) return null;
  const pending = m.invitations.filter((i) => i.status === 'pending');
  const pool = pick.pending && pending.length > 0 ? pending : m.invitations;
  return pool[pool.length - 1 - (pick.n % Math.min(pool.length, 6))]!;
}

const invitationPickArb = fc.option(
  fc.record({ n: fc.nat({ max: 11 }), pending: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }) }),
  { nil: null, freq: 12 },
);
const describeInvitation = (pick: { readonly n: number; readonly pending: boolean } | null): string =>
  pick === null ? 'unknown' : `${pick.pending ? 'pending' : 'any'}#${pick.n}`;

type TokenMode = 'current' | 'old' | 'forged';
const tokenModeArb = fc.oneof(
  { arbitrary: fc.constant<TokenMode>('current'), weight: 8 },
  { arbitrary: fc.constant<TokenMode>('old'), weight: 2 },
  { arbitrary: fc.constant<TokenMode>('forged'), weight: 1 },
);

function tokenFor(m: AccessModel, inv: MInvitation | null, mode: TokenMode): string {
  if (!inv) return 'wki.inv_missing.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  if (mode === 'forged') return `wki.${inv.id}.${'A'.repeat(32)}`;
  if (mode === 'old' && inv.tokens.length > 1) {
    m.stats.invitationOldToken += 1;
    return inv.tokens[0]!;
  }
  return inv.tokens[inv.tokens.length - 1]!;
}

function pickKey(m: AccessModel, pick: number | null): string {
  if (pick === null || m.apiKeys.length === 0) return 'key_missing';
  return m.apiKeys[pick % m.apiKeys.length]!.id;
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** A command: picks resolved against the model into one step when it runs. */
class Command implements Cmd {
  constructor(
    readonly text: string,
    readonly build: (m: AccessModel, r: Real) => AnyStep,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: AccessModel, r: Real): Promise<void> {
    await execute(m, r, this.build(m, r));
  }
  toString(): string {
    return this.text;
  }
}

/** Moves the clock past invitation and key expiries (INV-1, SA-2, SA-3). */
class AdvanceClock implements Cmd {
  constructor(readonly hours: number) {}
  check(): boolean {
    return true;
  }
  async run(m: AccessModel, r: Real): Promise<void> {
    r.clock.advance({ hours: this.hours });
    m.now += this.hours * HOUR;
    r.stepIndex += 1;
    await expectInvariants(m, r, this.toString(), null);
  }
  toString(): string {
    return `advanceClock(${this.hours}h)`;
  }
}

const INTRUSIONS = [
  'share',
  'changeRole',
  'unshare',
  'setDefault',
  'inviteCollaborator',
  'createRole',
  'deleteRole',
  'addMember',
  'changeMember',
  'removeMember',
  'inviteMember',
  'createServiceAccount',
  'deleteServiceAccount',
  'resendInvitation',
  'revokeInvitation',
  'revokeApiKey',
  'rotateApiKey',
] as const;

/**
 * Isolation: a principal with no role in an account and no access to any of its workspaces
 * tries a mutating command on the account's things. It must be NOT_FOUND (the things do not
 * exist for it) and change nothing.
 */
class Intrude implements Cmd {
  constructor(
    readonly pick: number,
    readonly op: (typeof INTRUSIONS)[number],
    readonly detail: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: AccessModel, r: Real): Promise<void> {
    const pairs: [PKey, MAccount][] = [];
    for (const p of m.principals()) {
      for (const key of ['ent', 'tea', 'p:cy', 'p:ada']) {
        const account = m.account(key);
        if (m.isolatedFrom(p, account)) pairs.push([p, account]);
      }
    }
    if (pairs.length === 0) return;
    const [actor, account] = pairs[this.pick % pairs.length]!;
    const s = this.stepFor(m, r, actor, account);
    expect(s.expected.ok ? 'ok' : s.expected.code, `model sanity: ${s.label} by an outsider`).toBe('NOT_FOUND');
    m.stats.intrusions += 1;
    await execute(m, r, s);
  }
  private stepFor(m: AccessModel, r: Real, actor: PKey, account: MAccount): AnyStep {
    const d = this.detail;
    const spaces = [...m.workspaces.values()].filter((w) => w.account === account.key);
    const ws = spaces[d % spaces.length]!;
    const someone: GKey = ws.grants.size > 0 ? [...ws.grants.keys()][d % ws.grants.size]! : userKey('dee');
    const members = [...account.members.keys()];
    const member: UserName = members.length > 0 ? members[d % members.length]! : 'cy';
    const roles = m.roles.filter((x) => x.account === account.key);
    const sas = m.serviceAccounts.filter((x) => x.account === account.key);
    const invitations = m.invitations.filter((i) => i.account === account.key);
    const keys = m.apiKeys.filter((k) => !isUserKey(k.owner) && m.serviceAccount(saIdOf(k.owner)!)?.account === account.key);
    switch (this.op) {
      case 'share':
        return shareStep(m, r, actor, ws, isUserKey(actor) ? actor : userKey('eve'), 'viewer');
      case 'changeRole':
        return changeRoleStep(m, r, actor, ws, someone, 'owner');
      case 'unshare':
        return unshareStep(m, r, actor, ws, someone);
      case 'setDefault':
        return setDefaultStep(m, r, actor, ws, 'owner');
      case 'inviteCollaborator':
        return inviteCollaboratorStep(m, r, actor, ws, emailOf('fay'), undefined);
      case 'createRole':
        return createRoleStep(m, r, actor, account, 'intruder', ['see_workspace'], 'owner');
      case 'deleteRole':
        return roles.length > 0 ? deleteRoleStep(m, r, actor, roles[d % roles.length]!.id) : createRoleStep(m, r, actor, account, 'x', [], 'owner');
      case 'addMember':
        return addMemberStep(m, r, actor, account, isUserKey(actor) ? userOf(actor) : 'eve', 'owner');
      case 'changeMember':
        return changeMemberStep(m, r, actor, account, member, 'owner');
      case 'removeMember':
        return removeMemberStep(m, r, actor, account, member);
      case 'inviteMember':
        return inviteMemberStep(m, r, actor, account, isUserKey(actor) ? emailOf(userOf(actor)) : emailOf('fay'), 'owner');
      case 'createServiceAccount':
        return createServiceAccountStep(m, r, actor, account, 'intruder');
      case 'deleteServiceAccount':
        return sas.length > 0 ? deleteServiceAccountStep(m, r, actor, sas[d % sas.length]!.id) : createServiceAccountStep(m, r, actor, account, 'x');
      case 'resendInvitation':
        return invitations.length > 0 ? resendStep(m, r, actor, invitations[d % invitations.length]!) : addMemberStep(m, r, actor, account, 'fay', 'member');
      case 'revokeInvitation':
        return invitations.length > 0 ? revokeInvitationStep(m, r, actor, invitations[d % invitations.length]!) : addMemberStep(m, r, actor, account, 'ada', 'admin');
      case 'revokeApiKey':
        return keys.length > 0 ? revokeKeyStep(m, r, actor, keys[d % keys.length]!.id) : setDefaultStep(m, r, actor, ws, null);
      case 'rotateApiKey':
        return keys.length > 0 ? rotateKeyStep(m, r, actor, keys[d % keys.length]!.id, 48) : unshareStep(m, r, actor, ws, someone);
    }
  }
  toString(): string {
    return `intrude(#${this.pick}, ${this.op}, #${this.detail})`;
  }
}

const cmd = (text: string, build: (m: AccessModel, r: Real) => AnyStep): Cmd => new Command(text, build);

/**
 * ROLE-5 from below: a principal that manages a workspace's users, service accounts or default
 * role through its grant (not as an account Owner or Admin) acts there, with a random role —
 * often one holding scopes it does not hold.
 */
class Delegated implements Cmd {
  constructor(
    readonly pick: number,
    readonly op: 'share' | 'changeRole' | 'unshare' | 'setDefault',
    readonly grantee: GranteePick,
    readonly role: RolePick,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: AccessModel, r: Real): Promise<void> {
    const delegates: [GKey, MWorkspace][] = [];
    const managing: readonly WorkspaceScope[] = ['manage_workspace_users', 'manage_workspace_service_accounts', 'set_default_workspace_role'];
    for (const ws of m.workspaces.values()) {
      for (const p of m.principals()) {
        const holdings = m.holdings(p, ws);
        if (holdings.some((h) => h.kind === 'account-role')) continue;
        if (holdings.some((h) => managing.some((s) => h.scopes.has(s)))) delegates.push([p, ws]);
      }
    }
    if (delegates.length === 0) return;
    const [actor, ws] = delegates[this.pick % delegates.length]!;
    const grantee = resolveGrantee(m, ws, this.grantee);
    const role = resolveRolePick(m, this.role);
    const s =
      this.op === 'share'
        ? shareStep(m, r, actor, ws, grantee, role)
        : this.op === 'changeRole'
          ? changeRoleStep(m, r, actor, ws, grantee, role)
          : this.op === 'unshare'
            ? unshareStep(m, r, actor, ws, grantee)
            : setDefaultStep(m, r, actor, ws, role);
    await execute(m, r, s);
  }
  toString(): string {
    return `delegated(#${this.pick}, ${this.op}, ${describeGrantee(this.grantee)}, ${describeRole(this.role)})`;
  }
}

/**
 * PLAN-2 and PLAN-3 at the edge: an Owner of `tea` (team: 3 seats, no RBAC) or of `p:cy`
 * (starter: 3 seats, no RBAC, no service accounts) gives a seat to an email, or uses a feature
 * its plan lacks.
 */
class PlanProbe implements Cmd {
  constructor(
    readonly accountKey: 'tea' | 'p:cy',
    readonly op: 'seat' | 'feature',
    readonly user: UserName,
    readonly variant: number,
    readonly role: BuiltIn,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: AccessModel, r: Real): Promise<void> {
    const account = m.account(this.accountKey);
    const owners = account.kind === 'personal' ? [account.owner!] : [...account.members].filter(([, x]) => x === 'owner').map(([n]) => n);
    const actor = userKey(owners[this.variant % owners.length]!);
    const spaces = [...m.workspaces.values()].filter((w) => w.account === account.key);
    const ws = spaces[this.variant % spaces.length]!;
    let s: AnyStep;
    if (this.op === 'seat') {
      if (account.kind === 'personal') s = inviteCollaboratorStep(m, r, actor, ws, emailOf(this.user), undefined);
      else if (this.variant % 2 === 0) s = inviteMemberStep(m, r, actor, account, emailOf(this.user), 'member');
      else s = addMemberStep(m, r, actor, account, this.user, 'member');
    } else {
      const role = this.role === 'developer' ? 'viewer' : this.role;
      switch (this.variant % 3) {
        case 0:
          s = account.kind === 'personal' ? inviteCollaboratorStep(m, r, actor, ws, emailOf(this.user), role) : setDefaultStep(m, r, actor, ws, role);
          break;
        case 1:
          s = ws.grants.size > 0 ? changeRoleStep(m, r, actor, ws, [...ws.grants.keys()][0]!, role) : setDefaultStep(m, r, actor, ws, role);
          break;
        default:
          s = createRoleStep(m, r, actor, account, 'probe', [], role);
      }
    }
    await execute(m, r, s);
  }
  toString(): string {
    return `planProbe(${this.accountKey}, ${this.op}, ${this.user}, #${this.variant}, ${this.role})`;
  }
}

/** `n` copies of an arbitrary: `fc.commands` picks uniformly among its arbitraries. */
const times = (n: number, arb: fc.Arbitrary<Cmd>): fc.Arbitrary<Cmd>[] => Array.from({ length: n }, () => arb);

const commandArbs: fc.Arbitrary<Cmd>[] = [
  // SHR-1: share, change, unshare (twice: the core of the model).
  fc
    .tuple(actorArb, wsArb, granteeArb, roleArb)
    .map(([a, w, g, role]) =>
      cmd(`share(${describeActor(a)}, ${w}, ${describeGrantee(g)}, ${describeRole(role)})`, (m, r) => {
        const ws = m.workspace(w);
        return shareStep(m, r, resolveActor(m, a, ws.key), ws, resolveGrantee(m, ws, g), resolveRolePick(m, role));
      }),
    ),
  fc
    .tuple(actorArb, wsArb, granteeArb, roleArb)
    .map(([a, w, g, role]) =>
      cmd(`share(${describeActor(a)}, ${w}, ${describeGrantee(g)}, ${describeRole(role)})`, (m, r) => {
        const ws = m.workspace(w);
        return shareStep(m, r, resolveActor(m, a, ws.key), ws, resolveGrantee(m, ws, g), resolveRolePick(m, role));
      }),
    ),
  fc
    .tuple(actorArb, wsArb, granteeArb, roleArb)
    .map(([a, w, g, role]) =>
      cmd(`changeRole(${describeActor(a)}, ${w}, ${describeGrantee(g)}, ${describeRole(role)})`, (m, r) => {
        const ws = m.workspace(w);
        return changeRoleStep(m, r, resolveActor(m, a, ws.key), ws, resolveGrantee(m, ws, g), resolveRolePick(m, role));
      }),
    ),
  fc
    .tuple(actorArb, wsArb, granteeArb, fc.boolean())
    .map(([a, w, g, leave]) =>
      cmd(`unshare(${describeActor(a)}, ${w}, ${leave ? 'self' : describeGrantee(g)})`, (m, r) => {
        const ws = m.workspace(w);
        const actor = resolveActor(m, a, ws.key);
        const grantee = leave && actor !== 'system' ? (actor) : resolveGrantee(m, ws, g);
        return unshareStep(m, r, actor, ws, grantee);
      }),
    ),
  // ROLE-3: default roles.
  fc
    .tuple(actorArb, wsArb, fc.option(roleArb, { nil: null, freq: 4 }))
    .map(([a, w, role]) =>
      cmd(`setDefault(${describeActor(a)}, ${w}, ${role === null ? 'null' : describeRole(role)})`, (m, r) =>
        setDefaultStep(m, r, resolveActor(m, a, w), m.workspace(w), role === null ? null : resolveRolePick(m, role)),
      ),
    ),
  // ROLE-2: custom roles.
  fc
    .tuple(actorArb, accountArb, fc.nat({ max: ROLE_NAMES.length - 1 }), fc.nat({ max: ROLE_PRESETS.length - 1 }))
    .map(([a, acc, n, p]) =>
      cmd(`createRole(${describeActor(a)}, ${acc}, ${JSON.stringify(ROLE_NAMES[n])}, preset#${p})`, (m, r) =>
        createRoleStep(m, r, resolveActor(m, a, acc), accountOf(m, acc), ROLE_NAMES[n]!, ROLE_PRESETS[p]!.scopes, ROLE_PRESETS[p]!.inherits),
      ),
    ),
  ...times(
    2,
    fc
    .tuple(actorArb, fc.option(fc.nat({ max: 7 }), { nil: null, freq: 8 }))
    .map(([a, pick]) =>
      cmd(`deleteRole(${describeActor(a)}, ${pick === null ? 'unknown' : `#${pick}`})`, (m, r) =>
        deleteRoleStep(m, r, resolveActor(m, a, 'ent'), pick === null || m.roles.length === 0 ? 'role_missing' : m.roles[pick % m.roles.length]!.id),
      ),
    ),
  ),
  // ACC-3…ACC-5: members.
  ...times(
    2,
    fc
      .tuple(actorArb, accountArb, fc.constantFrom(...USER_NAMES), accountRoleArb)
      .map(([a, acc, u, role]) =>
        cmd(`addMember(${describeActor(a)}, ${acc}, ${u}, ${role})`, (m, r) => addMemberStep(m, r, resolveActor(m, a, acc), accountOf(m, acc), u, role)),
      ),
  ),
  ...times(
    2,
    fc
      .tuple(actorArb, accountArb, userPickArb, accountRoleArb)
      .map(([a, acc, u, role]) =>
        cmd(`changeMemberRole(${describeActor(a)}, ${acc}, ${describeUser(u)}, ${role})`, (m, r) =>
          changeMemberStep(m, r, resolveActor(m, a, acc), accountOf(m, acc), resolveUser(m, accountOf(m, acc), u), role),
        ),
      ),
  ),
  ...times(
    3,
    fc
      .tuple(actorArb, accountArb, userPickArb, fc.boolean())
      .map(([a, acc, u, leave]) =>
        cmd(`removeMember(${describeActor(a)}, ${acc}, ${leave ? 'self' : describeUser(u)})`, (m, r) => {
          const actor = resolveActor(m, a, acc);
          const account = accountOf(m, acc);
          return removeMemberStep(m, r, actor, account, leave && isUserKey(actor) ? userOf(actor) : resolveUser(m, account, u));
        }),
      ),
  ),
  // ACC-6, COL-1, INV: invitations.
  ...times(
    3,
    fc
      .tuple(actorArb, accountArb, fc.constantFrom(...USER_NAMES), accountRoleArb)
      .map(([a, acc, u, role]) =>
        cmd(`inviteMember(${describeActor(a)}, ${acc}, ${u}, ${role})`, (m, r) =>
          inviteMemberStep(m, r, resolveActor(m, a, acc), accountOf(m, acc), emailOf(u), role),
        ),
      ),
  ),
  fc
    .tuple(actorArb, fc.oneof({ arbitrary: fc.constantFrom('p1', 'p2', 'a1'), weight: 5 }, { arbitrary: wsArb, weight: 1 }), fc.constantFrom(...USER_NAMES), fc.option(roleArb, { nil: undefined, freq: 2 }))
    .map(([a, w, u, role]) =>
      cmd(`inviteCollaborator(${describeActor(a)}, ${w}, ${u}, ${role === undefined ? 'default' : describeRole(role)})`, (m, r) =>
        inviteCollaboratorStep(m, r, resolveActor(m, a, w), m.workspace(w), emailOf(u), role === undefined ? undefined : resolveRolePick(m, role)),
      ),
    ),
  fc
    .tuple(actorArb, invitationPickArb)
    .map(([a, pick]) =>
      cmd(`resend(${describeActor(a)}, inv ${describeInvitation(pick)})`, (m, r) => {
        const inv = pickInvitation(m, pick);
        return resendStep(m, r, resolveActor(m, a, inv?.account), inv);
      }),
    ),
  fc
    .tuple(actorArb, invitationPickArb)
    .map(([a, pick]) =>
      cmd(`revokeInvitation(${describeActor(a)}, inv ${describeInvitation(pick)})`, (m, r) => {
        const inv = pickInvitation(m, pick);
        return revokeInvitationStep(m, r, resolveActor(m, a, inv?.account), inv);
      }),
    ),
  ...times(
    2,
    fc
      .tuple(fc.constantFrom('invitee', 'invitee', 'invitee', 'system', 'other', 'sa'), actorArb, invitationPickArb, tokenModeArb, fc.boolean())
      .map(([mode, other, pick, tokenMode, wrongNewUser]) =>
      cmd(`accept(${mode === 'other' ? describeActor(other) : mode}, inv ${describeInvitation(pick)}, ${tokenMode}${wrongNewUser ? ', wrong newUser' : ''})`, (m, r) => {
        const inv = pickInvitation(m, pick);
        const token = tokenFor(m, inv, tokenMode);
        const invitee = inv ? m.userByEmail(inv.email) : undefined;
        let actor: PKey;
        let withNewUser = false;
        if (mode === 'invitee' && invitee) actor = userKey(invitee.name);
        else if (mode === 'invitee' || mode === 'system') {
          actor = 'system';
          withNewUser = wrongNewUser ? invitee !== undefined : invitee === undefined;
        } else if (mode === 'sa' && m.serviceAccounts.length > 0) actor = saKey(m.serviceAccounts[0]!.id);
        else actor = resolveActor(m, other, inv?.account);
        return acceptStep(m, r, actor, inv, token, withNewUser);
      }),
    ),
  ),
  fc
    .tuple(fc.constantFrom('invitee', 'system', 'other'), actorArb, invitationPickArb, tokenModeArb)
    .map(([mode, other, pick, tokenMode]) =>
      cmd(`reject(${mode === 'other' ? describeActor(other) : mode}, inv ${describeInvitation(pick)}, ${tokenMode})`, (m, r) => {
        const inv = pickInvitation(m, pick);
        const invitee = inv ? m.userByEmail(inv.email) : undefined;
        const actor: PKey = mode === 'invitee' && invitee ? userKey(invitee.name) : mode === 'other' ? resolveActor(m, other, inv?.account) : 'system';
        return rejectStep(m, r, actor, inv, tokenFor(m, inv, tokenMode));
      }),
    ),
  // SA-1: service accounts.
  fc
    .tuple(actorArb, accountArb, fc.constantFrom('bot-a', 'bot-b', 'e-bot'))
    .map(([a, acc, name]) =>
      cmd(`createServiceAccount(${describeActor(a)}, ${acc}, ${name})`, (m, r) =>
        createServiceAccountStep(m, r, resolveActor(m, a, acc), accountOf(m, acc), name),
      ),
    ),
  fc
    .tuple(actorArb, fc.option(fc.nat({ max: 7 }), { nil: null, freq: 8 }))
    .map(([a, pick]) =>
      cmd(`deleteServiceAccount(${describeActor(a)}, ${pick === null ? 'unknown' : `#${pick}`})`, (m, r) => {
        const sa = pick === null || m.serviceAccounts.length === 0 ? undefined : m.serviceAccounts[pick % m.serviceAccounts.length]!;
        return deleteServiceAccountStep(m, r, resolveActor(m, a, sa?.account), sa?.id ?? 'sa_missing');
      }),
    ),
  // SA-2, SA-3: API keys.
  fc
    .tuple(
      actorArb,
      fc.oneof(
        { arbitrary: fc.constant<'self'>('self'), weight: 3 },
        { arbitrary: fc.nat({ max: 7 }).map((n) => ({ sa: n })), weight: 2 },
        { arbitrary: fc.constantFrom(...USER_NAMES).map((u) => ({ user: u })), weight: 1 },
      ),
      fc.constantFrom<number | null>(null, null, 1, 72, -1),
    )
    .map(([a, owner, hours]) =>
      cmd(`createApiKey(${describeActor(a)}, ${JSON.stringify(owner)}, ${hours === null ? 'never' : `${hours}h`})`, (m, r) => {
        let o: GKey | null = null;
        if (owner !== 'self' && 'sa' in owner && m.serviceAccounts.length > 0) o = saKey(m.serviceAccounts[owner.sa % m.serviceAccounts.length]!.id);
        if (owner !== 'self' && 'user' in owner) o = userKey(registered(m, owner.user));
        const context = o !== null && !isUserKey(o) ? m.serviceAccount(saIdOf(o)!)?.account : undefined;
        return createKeyStep(m, r, resolveActor(m, a, context), o, hours === null ? null : m.now + hours * HOUR);
      }),
    ),
  fc
    .tuple(fc.boolean(), actorArb, fc.option(fc.nat({ max: 15 }), { nil: null, freq: 10 }))
    .map(([byOwner, a, pick]) =>
      cmd(`revokeApiKey(${byOwner ? 'owner' : describeActor(a)}, ${pick === null ? 'unknown' : `#${pick}`})`, (m, r) => {
        const keyId = pickKey(m, pick);
        const key = m.apiKeys.find((k) => k.id === keyId);
        const actor: PKey = byOwner && key && isUserKey(key.owner) ? key.owner : resolveActor(m, a, keyAccount(m, keyId));
        return revokeKeyStep(m, r, actor, keyId);
      }),
    ),
  fc
    .tuple(fc.boolean(), actorArb, fc.option(fc.nat({ max: 15 }), { nil: null, freq: 10 }), fc.constantFrom(0, 1, 24, 48))
    .map(([byOwner, a, pick, overlap]) =>
      cmd(`rotateApiKey(${byOwner ? 'owner' : describeActor(a)}, ${pick === null ? 'unknown' : `#${pick}`}, ${overlap}h)`, (m, r) => {
        const keyId = pickKey(m, pick);
        const key = m.apiKeys.find((k) => k.id === keyId);
        const actor: PKey = byOwner && key && isUserKey(key.owner) ? key.owner : resolveActor(m, a, keyAccount(m, keyId));
        return rotateKeyStep(m, r, actor, keyId, overlap);
      }),
    ),
  // Time: past key expiries (1 h, 2 days), rotation overlaps (≤ 48 h) and invitations (7 days).
  ...times(2, fc.constantFrom(2, 25, 49, 24 * 8, 24 * 8).map((h) => new AdvanceClock(h))),
  // PLAN-2, PLAN-3 at the edge.
  ...times(
    2,
    fc
      .tuple(fc.constantFrom<'tea' | 'p:cy'>('tea', 'tea', 'p:cy'), fc.constantFrom<'seat' | 'feature'>('seat', 'feature'), fc.constantFrom(...USER_NAMES), fc.nat({ max: 5 }), fc.constantFrom(...BUILT_INS))
      .map(([acc, op, u, v, role]) => new PlanProbe(acc, op, u, v, role)),
  ),
  // ROLE-5 from below.
  ...times(
    3,
    fc
      .tuple(fc.nat({ max: 63 }), fc.constantFrom<Delegated['op']>('share', 'changeRole', 'unshare', 'setDefault'), granteeArb, roleArb)
      .map(([pick, op, g, role]) => new Delegated(pick, op, g, role)),
  ),
  // Isolation between accounts.
  ...times(
    2,
    fc.tuple(fc.nat({ max: 63 }), fc.constantFrom(...INTRUSIONS), fc.nat({ max: 7 })).map(([pick, op, d]) => new Intrude(pick, op, d)),
  ),
];

// ---------------------------------------------------------------------------------------------
// The fixed world
// ---------------------------------------------------------------------------------------------

/** How an adapter's runner hooks into the test. */
export interface AccessModelOptions {
  readonly numRuns?: number;
  readonly maxCommands?: number;
  readonly seed?: number;
  /** Called with each store once its run is over. */
  readonly release?: StoreRelease;
  /** Reads every stored row past the adapter: compared before and after each refused command. */
  readonly dump?: (store: Store) => Promise<unknown>;
  /**
   * The coverage counters that must be non-zero at the end (default: all that the assertion
   * list below names). Short runs may require fewer; the generators are the same everywhere.
   */
  readonly coverage?: readonly CoverageCounter[];
  /**
   * How many principals, besides the step's actor, get the kit's per-principal queries
   * (explainAccess, getWorkspace, getAccount, listWorkspaces, listMembers) after each step, in
   * rotation; default all of them. Every principal × workspace is always checked through the
   * pure authorizer over the stored data, whatever this is.
   */
  readonly principalsPerStep?: number;
}

async function setup(store: Store, options: AccessModelOptions): Promise<{ model: AccessModel; real: Real }> {
  const { kit, seed, events, clock } = createTestKit({ store, plans: TEST_PLANS });
  const m = new AccessModel(clock.now().getTime());
  const registeredUsers = new Map<UserName, RegisteredUser>();
  // cy's personal account has few seats and no RBAC; ada's has every feature.
  const personalPlans: Partial<Record<UserName, string>> = { cy: 'starter', ada: 'enterprise' };
  for (const name of USER_NAMES) {
    m.users.set(name, { name, email: emailOf(name), id: null, personalAccount: null });
    if (name === 'fay') continue;
    const planId = personalPlans[name] ?? 'hobby';
    const u = await seed.user({ handle: name, email: emailOf(name), planId });
    registeredUsers.set(name, u);
    m.user(name).id = u.user.id;
    m.user(name).personalAccount = `p:${name}`;
    m.accounts.set(`p:${name}`, { key: `p:${name}`, id: u.account.id, kind: 'personal', planId, owner: name, members: new Map() });
  }
  const reg = (name: UserName): RegisteredUser => registeredUsers.get(name)!;
  const ent = await seed.organization({
    handle: 'ent',
    planId: 'enterprise',
    owner: reg('ada'),
    members: [
      { user: reg('bob'), role: 'admin' },
      { user: reg('cy'), role: 'member' },
      { user: reg('dee'), role: 'member' },
    ],
  });
  const tea = await seed.organization({ handle: 'tea', planId: 'team', owner: reg('bob'), members: [{ user: reg('eve'), role: 'member' }] });
  m.accounts.set('ent', {
    key: 'ent',
    id: ent.account.id,
    kind: 'organization',
    planId: 'enterprise',
    owner: null,
    members: new Map<UserName, AccountRole>([
      ['ada', 'owner'],
      ['bob', 'admin'],
      ['cy', 'member'],
      ['dee', 'member'],
    ]),
  });
  m.accounts.set('tea', {
    key: 'tea',
    id: tea.account.id,
    kind: 'organization',
    planId: 'team',
    owner: null,
    members: new Map<UserName, AccountRole>([
      ['bob', 'owner'],
      ['eve', 'member'],
    ]),
  });
  const homes: Record<(typeof WORKSPACE_KEYS)[number], string> = { e1: 'ent', e2: 'ent', e3: 'ent', t1: 'tea', t2: 'tea', p1: 'p:cy', p2: 'p:cy', a1: 'p:ada' };
  for (const key of WORKSPACE_KEYS) {
    const account = m.account(homes[key]);
    const ws = await seed.workspace(account.id as never, { handle: key });
    m.workspaces.set(key, { key, id: ws.id, handle: key, account: account.key, defaultRole: null, grants: new Map() });
  }
  m.events = events.length;

  const real: Real = {
    kit,
    store,
    clock,
    events,
    snapshot: snapshotter(store),
    dump: options.dump ? () => options.dump!(store) : null,
    principalsPerStep: options.principalsPerStep ?? null,
    auditSeen: new Map(),
    stepIndex: 0,
  };
  const run = (s: AnyStep) => {
    expect(s.expected, `setup: ${s.label}`).toEqual({ ok: true });
    return execute(m, real, s, false);
  };
  const A = userKey('ada');
  const B = userKey('bob');
  await run(createRoleStep(m, real, A, m.account('ent'), 'deployer', ['manage_deployments'], 'runner'));
  const deployer = m.roles[0]!.id;
  // A member who manages users of one workspace without holding every scope (ROLE-5).
  await run(createRoleStep(m, real, B, m.account('ent'), 'usermgr', ROLE_PRESETS[1]!.scopes, ROLE_PRESETS[1]!.inherits));
  const usermgr = m.roles[1]!.id;
  await run(createServiceAccountStep(m, real, A, m.account('ent'), 'e-bot'));
  await run(createServiceAccountStep(m, real, B, m.account('tea'), 't-bot'));
  const [eBot, tBot] = m.serviceAccounts.map((s) => saKey(s.id)) as [GKey, GKey];
  await run(setDefaultStep(m, real, A, m.workspace('e1'), 'viewer'));
  await run(shareStep(m, real, A, m.workspace('e1'), eBot, 'runner'));
  await run(shareStep(m, real, B, m.workspace('t1'), tBot, 'developer'));
  await run(shareStep(m, real, A, m.workspace('e2'), userKey('cy'), deployer));
  await run(shareStep(m, real, B, m.workspace('e3'), userKey('dee'), 'viewer'));
  await run(shareStep(m, real, A, m.workspace('e3'), userKey('cy'), usermgr));
  await run(shareStep(m, real, A, m.workspace('e1'), userKey('dee'), usermgr));
  await run(shareStep(m, real, B, m.workspace('t2'), userKey('eve'), 'developer'));
  await run(inviteCollaboratorStep(m, real, userKey('cy'), m.workspace('p1'), emailOf('dee'), undefined));
  const collab = m.invitations[0]!;
  await run(acceptStep(m, real, userKey('dee'), collab, collab.tokens[0]!, false));
  await run(inviteMemberStep(m, real, B, m.account('tea'), emailOf('fay'), 'member'));
  // A custom role of a personal account, held by a pending collaborator invitation (ROLE-2).
  await run(createRoleStep(m, real, A, m.account('p:ada'), 'reader', [], 'viewer'));
  await run(inviteCollaboratorStep(m, real, A, m.workspace('a1'), emailOf('eve'), m.roles[2]!.id));
  await run(createKeyStep(m, real, A, null, null));
  await run(createKeyStep(m, real, A, eBot, null));
  await run(createKeyStep(m, real, userKey('dee'), null, m.now + 2 * DAY));
  await expectInvariants(m, real, 'after the setup', null);
  return { model: m, real };
}

/** What each coverage counter proves was exercised. */
const COVERAGE = {
  ok: 'commands succeeded',
  refused: 'commands were refused',
  shared: 'SHR-1 workspaces were shared',
  escalationRefused: 'ROLE-5 an escalation was refused',
  rbacRefused: 'PLAN-3 a missing plan feature was refused',
  lastOwner: 'ACC-4 the last Owner was kept',
  seatLimit: 'PLAN-2 a seat limit was reached',
  roleInUse: 'ROLE-2 a role in use was kept',
  customRoleGrantUsed: 'ROLE-2 custom roles were granted',
  invitationsAccepted: 'INV-3 invitations were accepted',
  usersCreatedOnAccept: 'INV-3 a user was created on accepting',
  invitationExpired: 'INV-1 an expired invitation was refused',
  keysResolved: 'SA-2 keys resolved to their owners',
  keysRefusedRevoked: 'SA-2 revoked keys were refused',
  keysRefusedExpired: 'SA-2 expired keys were refused',
  keysOfDeletedOwner: 'SA-2 keys of deleted service accounts were refused',
  intrusions: 'isolation: outsiders tried mutating commands',
  membersRemoved: 'COL-2 SHR-1 members were removed',
  serviceAccountsDeleted: 'SA-1 service accounts were deleted',
} as const satisfies Partial<Record<keyof AccessStats, string>>;

/** A counter of {@link AccessStats} that the coverage assertion can require. */
export type CoverageCounter = keyof typeof COVERAGE;
const ALL_COVERAGE = Object.keys(COVERAGE) as CoverageCounter[];

/**
 * The counters a short run (a few hundred commands, as on the SQL adapters) reliably drives
 * above zero. The rarer paths (seat limits, expired invitations, last Owner, roles in use) are
 * required of the long memory run, which uses the same generators.
 */
export const SHORT_RUN_COVERAGE: readonly CoverageCounter[] = [
  'ok',
  'refused',
  'shared',
  'escalationRefused',
  'rbacRefused',
  'customRoleGrantUsed',
  'invitationsAccepted',
  'keysResolved',
  'keysRefusedRevoked',
  'keysRefusedExpired',
  'intrusions',
];

function addStats(into: AccessStats, from: AccessStats): void {
  for (const key of Object.keys(into) as (keyof AccessStats)[]) into[key] += from[key];
}

/** Runs the property against stores made by `makeStore` (a fresh store per run); returns the summed counters. */
export async function accessModelProperty(makeStore: StoreFactory, options: AccessModelOptions = {}): Promise<AccessStats> {
  const totals = emptyAccessStats();
  await fc.assert(
    fc.asyncProperty(fc.commands(commandArbs, { maxCommands: options.maxCommands ?? 50, size: 'max' }), async (cmds) => {
      let model: AccessModel | undefined;
      let store: Store | undefined;
      try {
        await fc.asyncModelRun(async () => {
          store = await makeStore();
          const s = await setup(store, options);
          model = s.model;
          return s;
        }, cmds);
        if (model) addStats(totals, model.stats);
      } finally {
        if (store && options.release) await options.release(store);
      }
    }),
    { numRuns: options.numRuns ?? 150, ...(options.seed !== undefined ? { seed: options.seed } : {}) },
  );
  return totals;
}

/**
 * Registers the access model test for one adapter. Also asserts that the runs did take the
 * interesting paths (escalation refused, last Owner kept, seats exhausted, roles in use,
 * invitations accepted and expired, keys refused, intrusions refused), so it cannot pass
 * vacuously.
 */
export function describeAccessModel(adapter: string, makeStore: StoreFactory, options: AccessModelOptions = {}): void {
  describe(`access model on the ${adapter} store`, () => {
    it('ROLE-1 the built-in roles nest: Owner ⊇ Developer ⊇ Runner ⊇ Viewer, Owner holds every scope', () => {
      const chain = ['owner', 'developer', 'runner', 'viewer'] as const;
      for (const role of chain) expect(sorted(BUILT_IN_ROLE_SCOPES[role]), role).toEqual(sorted(MODEL_ROLE_SCOPES[role]));
      for (let i = 1; i < chain.length; i += 1) {
        for (const s of BUILT_IN_ROLE_SCOPES[chain[i]!]) expect(BUILT_IN_ROLE_SCOPES[chain[i - 1]!].has(s), `${chain[i - 1]} ⊇ ${chain[i]}: ${s}`).toBe(true);
      }
      expect(sorted(BUILT_IN_ROLE_SCOPES.owner)).toEqual(sorted(WORKSPACE_SCOPES));
      for (const s of BUILT_IN_ROLE_SCOPES.worker) expect(BUILT_IN_ROLE_SCOPES.owner.has(s)).toBe(true);
    });

    it('ACC-3 ACC-4 ACC-5 ACC-6 ROLE-2 ROLE-3 ROLE-4 ROLE-5 ROLE-6 SHR-1 COL-1 COL-2 INV-1 INV-2 INV-3 SA-1 SA-2 SA-3 PLAN-2 PLAN-3 AUD-1 random grant/invite/role/member/key sequences by random actors match the reference model after every step', async () => {
      const started = Date.now();
      const stats = await accessModelProperty(makeStore, options);
      console.log(`access model on ${adapter}: ${options.numRuns ?? 150} runs × ≤ ${options.maxCommands ?? 50} commands in ${Date.now() - started} ms; ${JSON.stringify(stats)}`);
      for (const counter of options.coverage ?? ALL_COVERAGE) {
        expect(stats[counter], `coverage: ${COVERAGE[counter]}`).toBeGreaterThan(0);
      }
    }, 300_000);
  });
}

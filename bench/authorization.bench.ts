// Authorization at scale (ROLE-7): `snapshot.can(principal, scope, workspaceId)` against CASL
// (`@casl/ability`, `createMongoAbility`) evaluating the same rules, on the same pre-generated
// list of checks, at 10, 1 000 and 100 000 grants.
//
// - The data set of each size is a seeded, realistic population: organizations with Owners,
//   Admins and Members (users belong to one or more organizations), service accounts, custom
//   roles inheriting built-in roles, workspaces of which about a third have a default role,
//   personal accounts with a few personal workspaces and their collaborators, and exactly N
//   grants spread over users and service accounts, including a few that give nothing (a user
//   who left the organization, a service account of another organization, a custom role of
//   another account).
// - CASL gets one ability per principal, built ahead of the timed loop from that principal's
//   rules (ROLE-3, ROLE-4): `can(ownerScopes, 'Workspace', { accountId })` for an account it
//   owns or administers (or its personal account), `can(roleScopes, 'Workspace', { id })` per
//   grant that counts, and `can(defaultScopes, 'Workspace', { id })` per workspace with a
//   default role of an organization where it is a Member. Rules that an account-wide Owner rule
//   already covers are left out (fewer rules: in CASL's favour). Subjects are
//   `subject('Workspace', { id, accountId })` objects made once per workspace, and each check
//   holds a direct reference to its principal's ability (no lookup: in CASL's favour too).
// - Before anything is timed, both engines evaluate every check of the lists, and every scope
//   of every (principal, workspace) pair of the lists: the mismatch count must be 0.
// - [mixed] checks are uniform over the data set (60 % on a workspace the principal is related
//   to, 40 % on any workspace, a few on an unknown one); [hot] checks come from 16 principals
//   and at most 80 workspaces at every size, so the caches hold about the same data at every
//   size. The `ctrl` row of each group does two plain `Map` lookups per check (workspace id,
//   principal id) over maps as big as the data set, with no authorization code: its ratio is
//   what the memory hierarchy alone costs at that size.
//
// Each sample runs 1 000 checks; rows report the cost of one check. The `100k/10` ratio of a
// row is its flatness; the notes give checks/s at every size and ours/CASL throughput.
import { AbilityBuilder, createMongoAbility, subject as caslSubject, type ForcedSubject, type MongoAbility } from '@casl/ability';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FnReturnedObject } from 'tinybench';
import type * as AuthorizeModule from '../src/role/authorize.js';
import type { CustomRole, WorkspaceRoleRef } from '../src/role/custom-role.js';
import type { AccountId, Principal, UserId, WorkspaceId, WorkspaceScope } from '../src/index.js';
import type { RoleId, ServiceAccountId } from '../src/core/ids.js';
import { fullGc } from './gc.js';
import type { Library } from './library.js';
import { measureAcrossSizes, type SizedMeasurement } from './measure.js';
import { formatCount, sizeLabel, type ScalingRow, type SetupTiming, type SuiteResult } from './report.js';
import { random } from './fixtures-util.js';

/** Options of {@link authorizationBench}. */
export interface AuthorizationBenchOptions {
  readonly lib: Library;
  /** Grants in the data set, smallest first (default 10, 1 000, 100 000). */
  readonly grants: readonly number[];
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly rounds: number;
  readonly log?: (line: string) => void;
}

type BuiltIn = 'owner' | 'developer' | 'runner' | 'viewer' | 'worker';
type CreateAccessSnapshot = typeof AuthorizeModule.createAccessSnapshot;

/** Checks per sample. */
const BATCH = 1000;
/** Checks per list (a power of two: the index wraps with a mask). */
const CHECKS = 4096;
/** Principals of the hot list, at every size. */
const HOT_PRINCIPALS = 16;
/** Workspaces per hot principal it is related to, and other workspaces of the hot list. */
const HOT_RELATED = 4;
const HOT_ANY_WORKSPACES = 16;

// --- The library under test ---------------------------------------------------------------

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'workspace-kit-bench-authorize');

/**
 * `createAccessSnapshot` from the loaded library when its entry exports it; otherwise
 * src/role/authorize.ts compiled now with tsup like the package (or through tsx for
 * `--target=src`).
 */
async function loadAuthorize(lib: Library): Promise<{ createAccessSnapshot: CreateAccessSnapshot; description: string }> {
  const exported = (lib.kit as unknown as Partial<Record<string, unknown>>)['createAccessSnapshot'];
  if (typeof exported === 'function') {
    return { createAccessSnapshot: exported as CreateAccessSnapshot, description: `createAccessSnapshot from the library (${lib.target})` };
  }
  if (lib.target === 'src') {
    const mod = await import('../src/role/authorize.js');
    return { createAccessSnapshot: mod.createAccessSnapshot, description: 'src/role/authorize.ts through tsx' };
  }
  const { build } = await import('tsup');
  const started = performance.now();
  await build({
    config: false,
    entry: { authorize: join(ROOT, 'src/role/authorize.ts') },
    outDir: CACHE,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    treeshake: true,
    clean: true,
    dts: false,
    sourcemap: false,
    silent: true,
  });
  const mod = (await import(pathToFileURL(join(CACHE, 'authorize.js')).href)) as typeof AuthorizeModule;
  return {
    createAccessSnapshot: mod.createAccessSnapshot,
    description: `src/role/authorize.ts (not exported by the package entry yet) built now with tsup in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  };
}

// --- The data set -------------------------------------------------------------------------

interface Dataset {
  readonly grantCount: number;
  readonly data: {
    accounts: { id: AccountId; kind: 'personal' | 'organization'; ownerUserId: UserId | null }[];
    memberships: { accountId: AccountId; userId: UserId; role: 'owner' | 'admin' | 'member' }[];
    serviceAccounts: { id: ServiceAccountId; accountId: AccountId }[];
    workspaces: { id: WorkspaceId; accountId: AccountId; defaultRole: WorkspaceRoleRef | null }[];
    customRoles: CustomRole[];
    grants: {
      workspaceId: WorkspaceId;
      grantee: { type: 'user'; userId: UserId } | { type: 'service-account'; serviceAccountId: ServiceAccountId };
      role: WorkspaceRoleRef;
    }[];
  };
  readonly users: readonly UserId[];
  readonly orgs: readonly AccountId[];
  readonly personalAccountOf: ReadonlyMap<string, AccountId>;
  readonly defaultRoleOf: ReadonlyMap<string, WorkspaceRoleRef | null>;
  readonly accountOf: ReadonlyMap<string, { kind: 'personal' | 'organization'; ownerUserId: UserId | null }>;
  readonly workspaceAccount: ReadonlyMap<string, AccountId>;
  readonly workspacesByAccount: ReadonlyMap<string, WorkspaceId[]>;
  readonly membershipsOf: ReadonlyMap<string, { accountId: AccountId; role: 'owner' | 'admin' | 'member' }[]>;
  readonly roleIn: ReadonlyMap<string, 'owner' | 'admin' | 'member'>;
  readonly serviceAccountAccount: ReadonlyMap<string, AccountId>;
  readonly grantsOf: ReadonlyMap<string, { workspaceId: WorkspaceId; role: WorkspaceRoleRef }[]>;
}

const BUILT_IN_MIX: readonly BuiltIn[] = ['viewer', 'viewer', 'runner', 'runner', 'developer', 'developer', 'developer', 'owner', 'worker'];

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A seeded population holding exactly `grantCount` grants (see the header). */
function buildDataset(grantCount: number, scopes: readonly WorkspaceScope[], seed: number): Dataset {
  const rng = random(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const chance = (p: number): boolean => rng() < p;

  const data: Dataset['data'] = { accounts: [], memberships: [], serviceAccounts: [], workspaces: [], customRoles: [], grants: [] };
  const accountOf = new Map<string, { kind: 'personal' | 'organization'; ownerUserId: UserId | null }>();
  const workspaceAccount = new Map<string, AccountId>();
  const workspacesByAccount = new Map<string, WorkspaceId[]>();
  const membershipsOf = new Map<string, { accountId: AccountId; role: 'owner' | 'admin' | 'member' }[]>();
  const roleIn = new Map<string, 'owner' | 'admin' | 'member'>();
  const serviceAccountAccount = new Map<string, AccountId>();
  const grantsOf = new Map<string, { workspaceId: WorkspaceId; role: WorkspaceRoleRef }[]>();
  const personalAccountOf = new Map<string, AccountId>();
  const customRolesOf = new Map<string, RoleId[]>();

  const orgCount = Math.max(1, Math.ceil(grantCount / 100));
  const userCount = Math.max(12, orgCount * 16);
  const users: UserId[] = [];
  const personalWorkspaces: WorkspaceId[] = [];
  let wsSeq = 0;
  const addWorkspace = (accountId: AccountId, defaultRole: WorkspaceRoleRef | null): WorkspaceId => {
    const id = `ws_${(wsSeq += 1)}` as WorkspaceId;
    data.workspaces.push({ id, accountId, defaultRole });
    workspaceAccount.set(id, accountId);
    pushTo(workspacesByAccount, accountId, id);
    return id;
  };

  for (let u = 0; u < userCount; u += 1) {
    const userId = `usr_${u}` as UserId;
    users.push(userId);
    const accountId = `acc_p${u}` as AccountId;
    data.accounts.push({ id: accountId, kind: 'personal', ownerUserId: userId });
    accountOf.set(accountId, { kind: 'personal', ownerUserId: userId });
    personalAccountOf.set(userId, accountId);
    // A few users keep personal workspaces (and share them with collaborators, COL-1).
    if (u === 0 || chance(0.1)) for (let k = int(1, 2); k > 0; k -= 1) personalWorkspaces.push(addWorkspace(accountId, null));
  }

  const orgs: AccountId[] = [];
  const grantees = new Map<string, Dataset['data']['grants'][number]['grantee'][]>();
  for (let o = 0; o < orgCount; o += 1) {
    const accountId = `acc_o${o}` as AccountId;
    orgs.push(accountId);
    data.accounts.push({ id: accountId, kind: 'organization', ownerUserId: null });
    accountOf.set(accountId, { kind: 'organization', ownerUserId: null });
    const members = new Set<UserId>();
    const size = int(4, 33);
    while (members.size < Math.min(size, users.length)) members.add(pick(users));
    const orgGrantees: Dataset['data']['grants'][number]['grantee'][] = [];
    [...members].forEach((userId, i) => {
      const role = i === 0 || (i === 1 && chance(0.3)) ? 'owner' : i <= 3 && chance(0.5) ? 'admin' : 'member';
      data.memberships.push({ accountId, userId, role });
      pushTo(membershipsOf, userId, { accountId, role });
      roleIn.set(`${accountId}\u0000${userId}`, role);
      orgGrantees.push({ type: 'user', userId });
    });
    for (let s = int(0, 4); s > 0; s -= 1) {
      const id = `sa_${o}_${s}` as ServiceAccountId;
      data.serviceAccounts.push({ id, accountId });
      serviceAccountAccount.set(id, accountId);
      orgGrantees.push({ type: 'service-account', serviceAccountId: id });
    }
    grantees.set(accountId, orgGrantees);
    for (let r = int(0, 3); r > 0; r -= 1) {
      const id = `role_${o}_${r}` as RoleId;
      const own = new Set<WorkspaceScope>();
      for (let k = int(1, 4); k > 0; k -= 1) own.add(pick(scopes));
      data.customRoles.push({
        id,
        accountId,
        name: `custom ${r}`,
        scopes: [...own].sort(),
        inherits: pick<BuiltIn | null>(['viewer', 'runner', 'developer', null]),
        createdAt: '2024-01-01T00:00:00.000Z',
      });
      pushTo(customRolesOf, accountId, id);
    }
    const custom = customRolesOf.get(accountId) ?? [];
    for (let w = int(3, 20); w > 0; w -= 1) {
      const defaultRole = chance(0.35) ? (custom.length > 0 && chance(0.3) ? pick(custom) : pick<BuiltIn>(['viewer', 'runner', 'developer'])) : null;
      addWorkspace(accountId, defaultRole);
    }
  }
  // A default role naming another account's custom role resolves to nothing.
  const foreignRoles = data.customRoles.map((r) => r.id);
  if (foreignRoles.length > 0) {
    for (const w of data.workspaces) if (w.defaultRole !== null && chance(0.03)) w.defaultRole = pick(foreignRoles);
  }
  const allServiceAccounts = data.serviceAccounts.map((s) => s.id);

  const taken = new Set<string>();
  let attempts = 0;
  while (data.grants.length < grantCount) {
    if ((attempts += 1) > grantCount * 200) throw new Error(`bench: could not place ${grantCount} distinct grants`);
    let workspaceId: WorkspaceId;
    let grantee: Dataset['data']['grants'][number]['grantee'];
    let role: WorkspaceRoleRef;
    if (chance(0.12)) {
      // A collaborator of a personal workspace (COL-1): Developer by default.
      workspaceId = pick(personalWorkspaces);
      grantee = { type: 'user', userId: pick(users) };
      role = pick<BuiltIn>(['developer', 'developer', 'viewer', 'runner']);
    } else {
      const accountId = pick(orgs);
      workspaceId = pick(workspacesByAccount.get(accountId)!);
      const x = rng();
      if (x < 0.04) grantee = { type: 'user', userId: pick(users) }; // maybe not a member (left the organization)
      else if (x < 0.06 && allServiceAccounts.length > 0) grantee = { type: 'service-account', serviceAccountId: pick(allServiceAccounts) };
      else grantee = pick(grantees.get(accountId)!);
      const custom = customRolesOf.get(accountId) ?? [];
      const y = rng();
      role = y < 0.02 && foreignRoles.length > 0 ? pick(foreignRoles) : y < 0.3 && custom.length > 0 ? pick(custom) : pick(BUILT_IN_MIX);
    }
    const key = grantee.type === 'user' ? grantee.userId : grantee.serviceAccountId;
    if (taken.has(`${workspaceId}\u0000${key}`)) continue;
    taken.add(`${workspaceId}\u0000${key}`);
    data.grants.push({ workspaceId, grantee, role });
    pushTo(grantsOf, key, { workspaceId, role });
  }
  return {
    grantCount,
    data,
    users,
    orgs,
    personalAccountOf,
    defaultRoleOf: new Map(data.workspaces.map((w) => [w.id as string, w.defaultRole])),
    accountOf,
    workspaceAccount,
    workspacesByAccount,
    membershipsOf,
    roleIn,
    serviceAccountAccount,
    grantsOf,
  };
}

// --- CASL ---------------------------------------------------------------------------------

interface WorkspaceSubject {
  readonly id: string;
  readonly accountId: string;
}
type AppAbility = MongoAbility<[WorkspaceScope, 'Workspace' | (WorkspaceSubject & ForcedSubject<'Workspace'>)]>;

/**
 * The same semantics as ROLE-3/ROLE-4, written as CASL rules for one principal, from the data
 * set's records (not from the snapshot under test).
 */
function caslAbility(
  ds: Dataset,
  principal: Principal,
  builtIns: Readonly<Record<BuiltIn, ReadonlySet<WorkspaceScope>>>,
  roleScopes: (ref: string, accountId: AccountId) => WorkspaceScope[] | null,
): { ability: AppAbility; rules: number } {
  const { can, build, rules } = new AbilityBuilder<AppAbility>(createMongoAbility);
  const owner = [...builtIns.owner];
  if (principal.type === 'user') {
    const userId = principal.userId;
    const wide = new Set<string>([ds.personalAccountOf.get(userId)!]);
    for (const m of ds.membershipsOf.get(userId) ?? []) if (m.role !== 'member') wide.add(m.accountId);
    for (const accountId of wide) can(owner, 'Workspace', { accountId });
    for (const m of ds.membershipsOf.get(userId) ?? []) {
      if (m.role !== 'member') continue;
      for (const w of ds.workspacesByAccount.get(m.accountId) ?? []) {
        const ref = ds.defaultRoleOf.get(w) ?? null;
        const scopes = ref === null ? null : roleScopes(ref, m.accountId);
        if (scopes !== null) can(scopes, 'Workspace', { id: w });
      }
    }
    for (const g of ds.grantsOf.get(userId) ?? []) {
      const accountId = ds.workspaceAccount.get(g.workspaceId)!;
      if (wide.has(accountId)) continue;
      const counts = ds.accountOf.get(accountId)!.kind === 'personal' || ds.roleIn.has(`${accountId}\u0000${userId}`);
      const scopes = counts ? roleScopes(g.role, accountId) : null;
      if (scopes !== null) can(scopes, 'Workspace', { id: g.workspaceId });
    }
  } else if (principal.type === 'service-account') {
    const home = ds.serviceAccountAccount.get(principal.serviceAccountId);
    for (const g of ds.grantsOf.get(principal.serviceAccountId) ?? []) {
      const accountId = ds.workspaceAccount.get(g.workspaceId)!;
      const scopes = accountId === home ? roleScopes(g.role, accountId) : null;
      if (scopes !== null) can(scopes, 'Workspace', { id: g.workspaceId });
    }
  } else {
    can(owner, 'Workspace');
  }
  return { ability: build(), rules: rules.length };
}

// --- Checks -------------------------------------------------------------------------------

/** One check, evaluated by both engines: the same object for both loops. */
interface Check {
  readonly principal: Principal;
  /** For the control row only. */
  readonly principalId: string;
  readonly scope: WorkspaceScope;
  readonly workspaceId: WorkspaceId;
  readonly subject: WorkspaceSubject & ForcedSubject<'Workspace'>;
  readonly ability: AppAbility;
}

interface ChecksDraft {
  readonly principal: Principal;
  readonly scope: WorkspaceScope;
  readonly workspaceId: WorkspaceId;
}

/** Workspaces a principal has something to do with: its accounts', its grants'. */
function relatedWorkspaces(ds: Dataset, principal: Principal): WorkspaceId[] {
  const out: WorkspaceId[] = [];
  if (principal.type === 'user') {
    out.push(...(ds.workspacesByAccount.get(ds.personalAccountOf.get(principal.userId)!) ?? []));
    for (const m of ds.membershipsOf.get(principal.userId) ?? []) out.push(...ds.workspacesByAccount.get(m.accountId)!);
    for (const g of ds.grantsOf.get(principal.userId) ?? []) out.push(g.workspaceId);
  } else if (principal.type === 'service-account') {
    out.push(...ds.workspacesByAccount.get(ds.serviceAccountAccount.get(principal.serviceAccountId)!)!);
    for (const g of ds.grantsOf.get(principal.serviceAccountId) ?? []) out.push(g.workspaceId);
  }
  return out;
}

const MISSING = 'ws_missing' as WorkspaceId;

/**
 * `CHECKS` checks by `principals`: 60 % on a workspace the principal is related to (at most
 * `relatedCap` of them per principal), 2 % on an unknown workspace, the rest on one of
 * `anyWorkspaces`; scopes uniform.
 */
function draftChecks(
  ds: Dataset,
  principals: readonly Principal[],
  anyWorkspaces: readonly WorkspaceId[],
  scopes: readonly WorkspaceScope[],
  seed: number,
  relatedCap = Number.POSITIVE_INFINITY,
): ChecksDraft[] {
  const rng = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const related = new Map<Principal, WorkspaceId[]>();
  const out: ChecksDraft[] = [];
  for (let i = 0; i < CHECKS; i += 1) {
    const principal = pick(principals);
    let mine = related.get(principal);
    if (mine === undefined) {
      mine = relatedWorkspaces(ds, principal);
      if (mine.length > relatedCap) mine = Array.from({ length: relatedCap }, () => pick(mine!));
      related.set(principal, mine);
    }
    const x = rng();
    const workspaceId = x < 0.02 ? MISSING : x < 0.62 && mine.length > 0 ? pick(mine) : pick(anyWorkspaces);
    out.push({ principal, scope: pick(scopes), workspaceId });
  }
  return out;
}

// --- The suite ----------------------------------------------------------------------------

/** A sample that stands for `count` calls: their mean, and the whole batch as the budget cost. */
function batch(startedAt: number, count: number): FnReturnedObject {
  const elapsed = performance.now() - startedAt;
  return { overriddenDuration: elapsed / count, overriddenIterationCost: elapsed };
}

/** Values folded from results so the engine cannot drop the measured work. */
let sink = 0;

interface Fixture {
  readonly label: string;
  readonly n: number;
  readonly snapshot: AuthorizeModule.AccessSnapshot;
  /** The control row's plain maps: every workspace, every principal of the data set. */
  readonly ctrl: { readonly workspaces: ReadonlyMap<string, { v: number }>; readonly principals: ReadonlyMap<string, { v: number }> };
  readonly lists: Readonly<Record<'mixed' | 'hot', readonly Check[]>>;
  readonly allowedPct: Readonly<Record<'mixed' | 'hot', number>>;
  readonly mismatches: number;
  readonly mismatchExamples: readonly string[];
  readonly agreementChecks: number;
  readonly abilities: number;
  readonly rulesMean: number;
  readonly rulesMax: number;
  readonly shape: string;
}

/** Runs the suite: see the header of this file. */
export async function authorizationBench(options: AuthorizationBenchOptions): Promise<SuiteResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const wallStarted = performance.now();
  const { lib } = options;
  const { createAccessSnapshot, description } = await loadAuthorize(lib);
  const { BUILT_IN_ROLE_SCOPES, WORKSPACE_SCOPES } = lib.kit;
  const builtIns = BUILT_IN_ROLE_SCOPES as Readonly<Record<BuiltIn, ReadonlySet<WorkspaceScope>>>;
  const scopes: readonly WorkspaceScope[] = WORKSPACE_SCOPES;
  log(`\nauthorization: ${description}`);

  const setup: SetupTiming[] = [];
  const fixtures: Fixture[] = [];
  for (const n of options.grants) {
    const label = sizeLabel(n);
    const genStarted = performance.now();
    const ds = buildDataset(n, scopes, 0xa11ce + n);
    const genMs = performance.now() - genStarted;

    const snapStarted = performance.now();
    const snapshot = createAccessSnapshot(ds.data);
    const snapMs = performance.now() - snapStarted;
    setup.push({ step: 'createAccessSnapshot, per grant', size: label, totalMs: snapMs, perItemNs: (snapMs * 1e6) / n });

    // Principals: users (most of them members of some organization) and service accounts.
    const principalOf = new Map<string, Principal>();
    const userP = (id: UserId): Principal => {
      let p = principalOf.get(id);
      if (!p) principalOf.set(id, (p = { type: 'user', userId: id }));
      return p;
    };
    const saP = (id: ServiceAccountId): Principal => {
      let p = principalOf.get(id);
      if (!p) principalOf.set(id, (p = { type: 'service-account', serviceAccountId: id }));
      return p;
    };
    // About one check in five by a service account.
    const pool: Principal[] = [
      ...ds.users.map(userP),
      ...ds.data.serviceAccounts.map((s) => saP(s.id)),
      ...ds.data.serviceAccounts.map((s) => saP(s.id)),
    ];
    const hotRng = random(0x407 + n);
    const hotPool: Principal[] = [];
    for (let i = 0; i < HOT_PRINCIPALS; i += 1) hotPool.push(pool[Math.floor(hotRng() * pool.length)]!);
    const allWorkspaces = ds.data.workspaces.map((w) => w.id);
    const hotWorkspaces = Array.from({ length: HOT_ANY_WORKSPACES }, () => allWorkspaces[Math.floor(hotRng() * allWorkspaces.length)]!);
    const drafts = {
      mixed: draftChecks(ds, pool, allWorkspaces, scopes, 0x5eed + n),
      hot: draftChecks(ds, hotPool, hotWorkspaces, scopes, 0x407 + n, HOT_RELATED),
    };

    // Role resolution for the CASL rules, written independently from the library's.
    const customById = new Map(ds.data.customRoles.map((r) => [r.id as string, r]));
    const roleScopes = (ref: string, accountId: AccountId): WorkspaceScope[] | null => {
      if (Object.hasOwn(builtIns, ref)) return [...builtIns[ref as BuiltIn]];
      const r = customById.get(ref);
      if (!r || r.accountId !== accountId) return null;
      return [...new Set([...r.scopes, ...(r.inherits === null ? [] : builtIns[r.inherits])])];
    };
    const needed = new Set<Principal>([...drafts.mixed, ...drafts.hot].map((d) => d.principal));
    const abilityStarted = performance.now();
    const abilities = new Map<Principal, AppAbility>();
    let rulesTotal = 0;
    let rulesMax = 0;
    for (const p of needed) {
      const { ability, rules } = caslAbility(ds, p, builtIns, roleScopes);
      abilities.set(p, ability);
      rulesTotal += rules;
      rulesMax = Math.max(rulesMax, rules);
    }
    const abilityMs = performance.now() - abilityStarted;
    setup.push({ step: `CASL createMongoAbility, per principal (${needed.size})`, size: label, totalMs: abilityMs, perItemNs: (abilityMs * 1e6) / needed.size });

    const subjects = new Map<string, WorkspaceSubject & ForcedSubject<'Workspace'>>();
    const subjectOf = (id: WorkspaceId): WorkspaceSubject & ForcedSubject<'Workspace'> => {
      let s = subjects.get(id);
      if (!s) subjects.set(id, (s = caslSubject('Workspace', { id, accountId: ds.workspaceAccount.get(id) ?? 'acc_unknown' })));
      return s;
    };
    // One literal shape for every check: a `{ ...d, … }` spread here makes V8 read these
    // fields ~10× slower, for both engines alike.
    const toChecks = (list: readonly ChecksDraft[]): Check[] =>
      list.map((d) => ({
        principal: d.principal,
        principalId: principalKeyOf(d.principal),
        scope: d.scope,
        workspaceId: d.workspaceId,
        subject: subjectOf(d.workspaceId),
        ability: abilities.get(d.principal)!,
      }));
    const lists = { mixed: toChecks(drafts.mixed), hot: toChecks(drafts.hot) };

    // Agreement, before any timing: every check of the lists, then every scope of every pair.
    let mismatches = 0;
    let agreementChecks = 0;
    const mismatchExamples: string[] = [];
    const compare = (c: Check, scope: WorkspaceScope): void => {
      agreementChecks += 1;
      const ours = snapshot.can(c.principal, scope, c.workspaceId);
      const theirs = c.ability.can(scope, c.subject);
      if (ours !== theirs) {
        mismatches += 1;
        if (mismatchExamples.length < 5) {
          mismatchExamples.push(`${JSON.stringify(c.principal)} ${scope} ${c.workspaceId}: ours ${ours}, CASL ${theirs}`);
        }
      }
    };
    const allowedPct = { mixed: 0, hot: 0 };
    for (const key of ['mixed', 'hot'] as const) {
      let allowed = 0;
      for (const c of lists[key]) {
        compare(c, c.scope);
        if (snapshot.can(c.principal, c.scope, c.workspaceId)) allowed += 1;
      }
      allowedPct[key] = (100 * allowed) / lists[key].length;
      const pairs = new Map<string, Check>();
      for (const c of lists[key]) pairs.set(`${principalKeyOf(c.principal)}\u0000${c.workspaceId}`, c);
      for (const c of pairs.values()) for (const s of scopes) compare(c, s);
    }
    const orgWorkspaces = ds.orgs.reduce((k, a) => k + (ds.workspacesByAccount.get(a)?.length ?? 0), 0);
    const shape =
      `${ds.orgs.length} orgs, ${ds.data.memberships.length} memberships, ${ds.users.length} users, ` +
      `${ds.data.serviceAccounts.length} service accounts, ${ds.data.customRoles.length} custom roles, ` +
      `${ds.data.workspaces.length} workspaces (${orgWorkspaces} in orgs, ` +
      `${ds.data.workspaces.filter((w) => w.defaultRole !== null).length} with a default role), ${n} grants`;
    log(`  ${label}: ${shape}; data ${genMs.toFixed(0)} ms, snapshot ${snapMs.toFixed(0)} ms, ${needed.size} CASL abilities ${abilityMs.toFixed(0)} ms; mismatches ${mismatches}/${agreementChecks}`);
    fixtures.push({
      label,
      n,
      snapshot,
      ctrl: {
        workspaces: new Map(ds.data.workspaces.map((w, i) => [w.id as string, { v: i & 1 }])),
        principals: new Map([...ds.users, ...ds.data.serviceAccounts.map((a) => a.id)].map((id, i) => [id as string, { v: i & 1 }])),
      },
      lists,
      allowedPct,
      mismatches,
      mismatchExamples,
      agreementChecks,
      abilities: needed.size,
      rulesMean: rulesTotal / needed.size,
      rulesMax,
      shape,
    });
  }
  fullGc();

  const measure = { timeMs: options.timeMs, warmupMs: options.warmupMs, rounds: options.rounds };
  const rows: ScalingRow[] = [];
  const measured: Record<string, SizedMeasurement> = {};
  for (const group of ['mixed', 'hot'] as const) {
    for (const engine of ['ours', 'casl', 'ctrl'] as const) {
      const operation = {
        ours: `snapshot.can(principal, scope, workspaceId), ${BATCH}/sample`,
        casl: `CASL ability.can(scope, subject), ${BATCH}/sample`,
        ctrl: `plain Map ×2: workspace id, principal id (no auth code), ${BATCH}/sample`,
      }[engine];
      log(`  measuring [${group}] ${engine}`);
      const tasks = fixtures.map((f) => {
        const list = f.lists[group];
        const mask = list.length - 1;
        let pos = 0;
        const { workspaces, principals } = f.ctrl;
        const fn =
          engine === 'ctrl'
            ? () => {
                const started = performance.now();
                let allowed = 0;
                for (let i = 0; i < BATCH; i += 1) {
                  const c = list[pos]!;
                  pos = (pos + 1) & mask;
                  if (((workspaces.get(c.workspaceId)?.v ?? 0) & (principals.get(c.principalId)?.v ?? 0)) === 1) allowed += 1;
                }
                const result = batch(started, BATCH);
                sink += allowed;
                return result;
              }
            : engine === 'ours'
            ? () => {
                const snapshot = f.snapshot;
                const started = performance.now();
                let allowed = 0;
                for (let i = 0; i < BATCH; i += 1) {
                  const c = list[pos]!;
                  pos = (pos + 1) & mask;
                  if (snapshot.can(c.principal, c.scope, c.workspaceId)) allowed += 1;
                }
                const result = batch(started, BATCH);
                sink += allowed;
                return result;
              }
            : () => {
                const started = performance.now();
                let allowed = 0;
                for (let i = 0; i < BATCH; i += 1) {
                  const c = list[pos]!;
                  pos = (pos + 1) & mask;
                  if (c.ability.can(c.scope, c.subject)) allowed += 1;
                }
                const result = batch(started, BATCH);
                sink += allowed;
                return result;
              };
        return { label: f.label, fn, options: { async: false } };
      });
      const m = await measureAcrossSizes(`authorization ${group} ${engine}`, tasks, measure);
      measured[`${group}/${engine}`] = m;
      rows.push({ group, layer: engine === 'ours' ? 'pure' : engine, operation, bySize: m.bySize, ratios: m.ratios });
    }
  }

  const first = fixtures[0]!;
  const last = fixtures[fixtures.length - 1]!;
  const notes: string[] = [];
  notes.push(`library: ${description}; CASL: @casl/ability createMongoAbility, abilities and subjects built before timing`);
  const totalMismatches = fixtures.reduce((k, f) => k + f.mismatches, 0);
  notes.push(
    `agreement before timing: ${totalMismatches} mismatches in ${formatCount(fixtures.reduce((k, f) => k + f.agreementChecks, 0))} checks` +
      ` (every check of both lists, and every scope of every listed principal/workspace pair)${totalMismatches === 0 ? '' : ' — RATIOS MEANINGLESS'}`,
  );
  for (const f of fixtures) for (const e of f.mismatchExamples) notes.push(`MISMATCH @${f.label}: ${e}`);
  for (const group of ['mixed', 'hot'] as const) {
    const ours = measured[`${group}/ours`]!;
    const casl = measured[`${group}/casl`]!;
    const perSize = fixtures.map((f) => {
      const o = ours.bySize[f.label]!;
      const c = casl.bySize[f.label]!;
      return `@${f.label} ${formatCount(o.opsPerSec)} vs ${formatCount(c.opsPerSec)} = ${(c.meanNs / o.meanNs).toFixed(2)}×`;
    });
    notes.push(`[${group}] checks/s ours vs CASL, ours/CASL throughput: ${perSize.join('; ')}`);
    const flat = (m: SizedMeasurement): string => `${(1 / m.ratios.mean).toFixed(2)} (p50 ${(1 / m.ratios.p50).toFixed(2)})`;
    notes.push(
      `[${group}] flatness, throughput @${last.label} / @${first.label} (1.00 = flat): ours ${flat(ours)}, CASL ${flat(casl)}, ` +
        `ctrl ${flat(measured[`${group}/ctrl`]!)}`,
    );
  }
  for (const f of fixtures) {
    notes.push(
      `@${f.label}: ${f.shape}; allowed ${f.allowedPct.mixed.toFixed(0)}% of [mixed], ${f.allowedPct.hot.toFixed(0)}% of [hot]; ` +
        `CASL rules per ability: mean ${f.rulesMean.toFixed(1)}, max ${f.rulesMax}`,
    );
  }
  notes.push(`checksum ${sink}`);
  return {
    name: 'authorization',
    title: `Authorization checks (ROLE-7): snapshot.can vs CASL, ${options.grants.map(sizeLabel).join(' / ')} grants`,
    sizes: fixtures.map((f) => ({ label: f.label, n: f.n })),
    rows,
    groups: {
      mixed: `${CHECKS} pre-generated checks over the whole data set (60% on a workspace the principal is related to, 40% any, 2% unknown)`,
      hot: `${CHECKS} checks by ${HOT_PRINCIPALS} principals on ≤ ${HOT_PRINCIPALS * HOT_RELATED + HOT_ANY_WORKSPACES} workspaces at every size (cache-resident: the algorithm's own ratio)`,
    },
    setup,
    notes,
    wallMs: performance.now() - wallStarted,
  };
}

function principalKeyOf(p: Principal): string {
  return p.type === 'user' ? p.userId : p.type === 'service-account' ? p.serviceAccountId : `system:${p.name}`;
}

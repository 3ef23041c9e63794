// A guided tour of workspace-kit, in memory: `npm run demo`.
//
// It tells one story (sign-up, an organization, workspaces, plans, edits, deletion, sharing and
// roles, an invitation, a service account with an API key, the audit log, then a personal
// workspace transferred to the organization and its runs pruned by retention) and doubles as a
// smoke test: a step whose outcome differs from the expected one prints UNEXPECTED and the
// process exits with status 1. The helpers that print are at the bottom.
import {
  asServiceAccount,
  asUser,
  createWorkspaceKit,
  manualClock,
  renderTransferPlan,
  sequentialIds,
  system,
  type AccessExplanation,
  type AccessSource,
  type AuditEvent,
  type ErrorCode,
  type KitResult,
  type Principal,
  type TransferPlan,
  type WorkspaceKitError,
} from '../src/index.js';
import { createMemoryStore } from '../src/memory.js';

// A manual clock and sequential ids make every run print the same times and ids.
const clock = manualClock('2026-03-02T09:00:00.000Z');
const kit = createWorkspaceKit({ store: createMemoryStore(), clock, ids: sequentialIds() });

const names = new Map<string, string>(); // readable names for ids, filled in as we go
let published = 0;
const recent: AuditEvent[] = []; // the events of the last command, for section 12
kit.subscribe((event) => {
  published += 1; // listeners run after commit: the hook for emails, webhooks, search indexes
  recent.push(event);
});
const WIDTH = 40;

console.log('workspace-kit walkthrough: in-memory store, manual clock, sequential ids');
console.log('  ✓ = succeeded   ✗ = refused, as the rules require');

heading('1. Sign-up (the system principal acts for the sign-up flow)');
const signup = system('signup');
const ada = await register('Ada', '  Ada@Example.com ', 'ada');
const grace = await register('Grace', 'grace@example.com', 'grace');
const linus = await register('Linus', 'linus@example.com', 'linus');
const [asAda, asGrace, asLinus] = [asUser(ada.user.id), asUser(grace.user.id), asUser(linus.user.id)];

heading('2. An organization on the starter plan');
const acme = await ok(
  'ada creates organization acme',
  kit.createOrganization(asAda, { handle: 'acme', displayName: 'Acme', planId: 'starter' }),
  (a) => {
    const { workspaces, seats } = kit.plans[a.planId]!.limits;
    return `plan ${a.planId}: ${workspaces} workspaces, ${seats} seats`;
  },
);
const accountId = acme.id;
names.set(accountId, 'acme');
for (const [who, user, role] of [['grace', grace, 'admin'], ['linus', linus, 'member']] as const) {
  const added = kit.addMember(asAda, { accountId, userId: user.user.id, role });
  await ok(`ada adds ${who} as ${role}`, added, (m) => `role ${m.role}`);
}

heading('3. Workspaces, handles and the plan limit');
const prod = await createWorkspace('ada', asAda, 'prod', 'Production');
const staging = await createWorkspace('grace', asGrace, 'staging', 'Staging');
const tryCreate = (actor: Principal, handle: string) => kit.createWorkspace(actor, { accountId, handle });
await refused(`ada creates '  Prod ' (→ 'prod')`, tryCreate(asAda, '  Prod '), 'HANDLE_TAKEN');
await refused(`ada creates 'data--team'`, tryCreate(asAda, 'data--team'), 'VALIDATION');
await refused(`linus (member) creates 'sandbox'`, tryCreate(asLinus, 'sandbox'), 'FORBIDDEN');
const dev = await createWorkspace('ada', asAda, 'dev', 'Scratch space');
await refused(`ada creates a 4th, 'sandbox'`, tryCreate(asAda, 'sandbox'), 'PLAN_LIMIT_REACHED');

heading('4. Owners are protected');
await refused(
  'grace (admin) demotes ada (owner)',
  kit.changeMemberRole(asGrace, { accountId, userId: ada.user.id, role: 'member' }),
  'FORBIDDEN',
);
await refused('ada, the only owner, leaves', kit.removeMember(asAda, { accountId, userId: ada.user.id }), 'LAST_OWNER');

heading('5. Plans');
const changePlan = (planId: string) => kit.changePlan(asAda, { accountId, planId });
await ok('ada upgrades acme to pro', changePlan('pro'), (a) => `plan ${a.planId}, account v${a.version}`);
await createWorkspace('ada', asAda, 'sandbox', 'Now it fits');
await refused('ada downgrades acme to hobby', changePlan('hobby'), 'PLAN_DOWNGRADE_BLOCKED');

heading('6. Editing with optimistic concurrency');
const read = await ok(
  `ada looks up 'Acme/Staging'`,
  kit.getWorkspaceByHandle(asAda, { fullHandle: 'Acme/Staging' }),
  (w) => `${w.fullHandle} v${w.version}: "${w.description}"`,
);
const edit = { workspaceId: staging.id, expectedVersion: read.version };
const renamed = await ok(
  `grace renames it, expecting v${read.version}`,
  kit.updateWorkspace(asGrace, { ...edit, handle: 'preview', description: 'Previews' }),
  (w) => `${w.fullHandle} v${w.version}: "${w.description}"`,
);
names.set(renamed.id, `${renamed.fullHandle} (${renamed.id})`);
await refused(
  `ada edits, still expecting v${read.version}`,
  kit.updateWorkspace(asAda, { ...edit, description: 'Oops' }),
  'CONFLICT',
);
await refused(
  'linus (no access) edits acme/prod',
  kit.updateWorkspace(asLinus, { workspaceId: prod.id, description: 'Hi' }),
  'NOT_FOUND',
);

heading('7. Resources, deletion preview, atomic delete');
const resources = [
  ...['etl', 'report', 'backfill'].map((name) => ({ kind: 'deployment' as const, name })),
  ...[1, 2, 3, 4, 5].map((i) => ({ kind: 'flow-run' as const, name: `nightly-${i}`, state: 'completed' as const })),
  ...['s3-bucket', 'slack-webhook'].map((name) => ({ kind: 'block' as const, name })),
];
await ok(
  'grace tracks resources in acme/dev',
  kit.trackResources(asGrace, { workspaceId: dev.id, resources }),
  (rs) => `${rs.length} resources`,
);
const preview = await ok(
  'ada previews deleting acme/dev',
  kit.previewWorkspaceDeletion(asAda, { workspaceId: dev.id }),
  (p) => `${p.totalResources} resources: ${counts(p.resources)}`,
);
await ok(
  'ada deletes acme/dev, as previewed',
  kit.deleteWorkspace(asAda, { workspaceId: dev.id, expectedVersion: preview.workspace.version }),
  (d) => `removed with its ${d.totalResources} resources`,
);
const newDev = await ok(
  `ada reuses the handle 'dev'`,
  kit.createWorkspace(asAda, { accountId, handle: 'dev' }),
  (w) => `${w.fullHandle} v${w.version} (${w.id}, a new workspace)`,
);
names.set(newDev.id, `${newDev.fullHandle} (${newDev.id})`);

heading('8. Sharing acme/prod: a default role, a grant, a role change');
await ok(
  `ada sets acme/prod's default role`,
  kit.setDefaultWorkspaceRole(asAda, { workspaceId: prod.id, role: 'viewer' }),
  (w) => `viewer for every member of acme (v${w.version})`,
);
await ok(
  'linus lists the workspaces he can see',
  kit.listWorkspaces(asLinus, { accountId }),
  (p) => p.items.map((w) => w.fullHandle).join(', '),
);
await ok(
  'ada shares acme/prod with linus',
  kit.shareWorkspace(asAda, { workspaceId: prod.id, grantee: asLinus, role: 'runner' }),
  (g) => `grant: ${g.role}`,
);
const deployment = { workspaceId: prod.id, resources: [{ kind: 'deployment' as const, name: 'etl' }] };
await refused('linus (runner) adds a deployment', kit.trackResources(asLinus, deployment), 'FORBIDDEN');
await ok(
  `ada changes linus's role`,
  kit.changeWorkspaceRole(asAda, { workspaceId: prod.id, grantee: asLinus, role: 'developer' }),
  (g) => `grant: runner → ${g.role}`,
);
await ok('linus (developer) adds a deployment', kit.trackResources(asLinus, deployment), (rs) => `${rs.length} deployment`);
const access = await ok(
  'linus asks where his access comes from',
  kit.explainAccess(asLinus, { workspaceId: prod.id }),
  (x) => `${x.scopes.length} scopes in acme/prod, account role ${x.accountRole ?? 'none'}`,
);
printExplanation(access);

heading('9. Inviting a collaborator by email (the token is a Secret)');
const notebooks = await ok(
  `ada creates 'notebooks' in @ada`,
  kit.createWorkspace(asAda, { accountId: ada.account.id, handle: 'notebooks' }),
  (w) => `${w.fullHandle} (personal account, ${ada.account.planId} plan)`,
);
const invited = await ok(
  'ada invites margaret@example.com',
  kit.inviteCollaborator(asAda, { workspaceId: notebooks.id, email: 'Margaret@Example.com' }),
  (i) => `${i.invitation.id}, ${i.invitation.status}, role ${i.invitation.target.role}, until ${i.invitation.expiresAt.slice(0, 10)}`,
);
console.log('    the result as JSON, as a log line or a response body would show it:');
printWrapped(JSON.stringify(invited), 6);
const token = invited.token.reveal(); // only for the email to margaret, never for a log
const publicPart = token.slice(0, token.lastIndexOf('.') + 1);
console.log(`    token.reveal() → ${publicPart}<${token.length - publicPart.length} random characters>, for the email only`);
const margaret = await ok(
  'margaret signs up through the link',
  kit.acceptInvitation(signup, { token, newUser: { displayName: 'Margaret', handle: 'margaret' } }),
  (a) => {
    names.set(a.user.id, 'margaret');
    return `user ${a.user.id} and @${a.createdAccount?.handle ?? '?'} created, grant: ${a.grant?.role ?? '?'}`;
  },
);
await refused('the same link is used again', kit.acceptInvitation(signup, { token }), 'INVITATION_INVALID');

heading('10. A service account and its API key');
const bot = await ok(
  `ada creates service account 'ci-bot'`,
  kit.createServiceAccount(asAda, { accountId, name: 'ci-bot' }),
  (sa) => `${sa.id} in acme`,
);
names.set(bot.id, 'ci-bot');
await ok(
  'ada shares acme/prod with ci-bot',
  kit.shareWorkspace(asAda, { workspaceId: prod.id, grantee: asServiceAccount(bot.id), role: 'runner' }),
  (g) => `grant: ${g.role}`,
);
const issued = await ok(
  'ada creates an API key for ci-bot',
  kit.createApiKey(asAda, { serviceAccountId: bot.id, name: 'deploy' }),
  (k) => `${k.key.id} '${k.key.name}', secret in JSON: ${JSON.stringify(k.secret)}`,
);
// A request arrives with `Authorization: Bearer <secret>`: resolve it, then act as its principal.
const resolved = await ok(
  'a request presents the key',
  kit.resolveApiKey({ key: issued.secret.reveal() }),
  (r) => `acts as ${JSON.stringify(r.principal)}`,
);
await ok(
  'ci-bot lists the workspaces it can see',
  kit.listWorkspaces(resolved.principal, { accountId }),
  (p) => p.items.map((w) => w.fullHandle).join(', '),
);
await refused(
  'ci-bot (runner) records a flow run',
  kit.trackResources(resolved.principal, { workspaceId: prod.id, resources: [{ kind: 'flow-run', name: 'adhoc' }] }),
  'FORBIDDEN',
);
await ok(
  'ada rotates the key, 24 h overlap',
  kit.rotateApiKey(asAda, { keyId: issued.key.id, overlapHours: 24 }),
  (r) => `new ${r.key.id}; ${r.previous.id} works until ${r.previous.expiresAt ?? 'never'}`,
);

heading('11. The audit log of acme (a pro feature, for Owners and Admins)');
await refused('linus (member) reads the audit log', kit.listAuditEvents(asLinus, { accountId }), 'FORBIDDEN');
const log = await kit.listAuditEvents(asAda, { accountId, limit: 100 });
if (log.isErr()) unexpected('ada reads the audit log', `${log.error.code} ${explain(log.error)}`);
printTable(
  ['time', 'actor', 'action', 'subject', 'details'],
  log.value.items.map((e) => [e.at.slice(11, 19), actorOf(e), e.action, subjectOf(e), summary(e)]),
);
console.log(`\n${log.value.items.length} events in acme's log, ${published} published to subscribers so far.`);
console.log('Refused commands recorded nothing; sign-ups and the invitation are logged in the personal accounts.');

heading('12. Transferring ada/notebooks to acme (the TransferPlanner)');
// Ada's personal workspace has grown into a team project: it moves to acme, under a new handle.
// Before anything moves, the planner lists what would block the transfer and everything it does.
const asMargaret = asUser(margaret.user.id);
const linusInvite = await ok(
  'ada invites linus to ada/notebooks',
  kit.inviteCollaborator(asAda, { workspaceId: notebooks.id, email: 'linus@example.com' }),
  (i) => `${i.invitation.id}, role ${i.invitation.target.role}`,
);
await ok(
  'linus accepts',
  kit.acceptInvitation(asLinus, { token: linusInvite.token.reveal() }),
  (a) => `grant: ${a.grant?.role ?? '?'} (linus is also a member of acme)`,
);
const laptopKey = await ok(
  `margaret creates an API key 'laptop'`,
  kit.createApiKey(asMargaret, { name: 'laptop' }),
  (k) => `${k.key.id}, for her CLI`,
);
// Runs as an orchestrator reports them: each with the time it ended (retention counts from it).
// Ada's hobby plan keeps 7 days, but no retention job has run on her account yet.
const ended = (day: string, state: 'completed' | 'failed' = 'completed') =>
  ({ kind: 'flow-run', name: `nightly-${day}`, state, endedAt: `${day}T02:00:00.000Z` }) as const;
const history = [
  ...['2026-01-05', '2026-01-12', '2026-01-19', '2026-02-02'].map((day) => ended(day)),
  ended('2026-02-06', 'failed'),
  ...['2026-02-16', '2026-02-23', '2026-03-01'].map((day) => ended(day)),
  { kind: 'flow-run', name: 'train-model', state: 'running' } as const,
];
await ok(
  'margaret records the flow runs',
  kit.trackResources(asMargaret, { workspaceId: notebooks.id, resources: history }),
  (rs) => `${rs.length} runs: 8 ended between Jan 5 and Mar 1, 1 running`,
);
const toAcme = { workspaceId: notebooks.id, targetAccountId: accountId, handle: 'ml-notebooks' };
await refused('linus (developer) plans the transfer', kit.planTransfer(asLinus, toAcme), 'FORBIDDEN');
const first = await ok(
  'ada plans the transfer to acme',
  kit.planTransfer(asAda, toAcme),
  (p) => `${p.blockers.length} blockers, approval needed: ${p.approvalNeeded}, ${p.impacts.runsPruned.count} runs to remove`,
);
console.log(`    renderTransferPlan(plan), the page Ada reviews before confirming:`);
const labels = { users: Object.fromEntries(names) };
for (const line of renderTransferPlan(first, labels).split('\n')) console.log(`      ${line}`);

// Ada reads the plan for a while; meanwhile a backfill records one more January run.
await ok(
  'margaret backfills a run of Jan 26',
  kit.trackResources(asMargaret, { workspaceId: notebooks.id, resources: [ended('2026-01-26')] }),
  (rs) => `${rs.length} run, ended before the plan's cutoff`,
);
const execute = (p: TransferPlan) => kit.executeTransfer(asAda, { ...toAcme, fingerprint: p.fingerprint, plannedAt: p.plannedAt });
await refused('ada executes the plan she reviewed', execute(first), 'PLAN_STALE');
const plan = await ok(
  'ada plans again',
  kit.planTransfer(asAda, toAcme),
  (p) => `${p.impacts.runsPruned.count} runs to remove now; fingerprint ${short(first.fingerprint)} → ${short(p.fingerprint)}`,
);
const runsBefore = await flowRuns(asAda, notebooks.id);
recent.length = 0;
const moved = await ok(
  'ada executes the new plan',
  execute(plan),
  (t) => `${t.plan.impacts.handle.from} → ${t.plan.impacts.handle.to}, v${t.workspace.version}, in one unit of work`,
);
names.set(moved.workspace.id, `${plan.impacts.handle.to} (${moved.workspace.id})`);
console.log(`    flow runs: ${runsBefore} before, ${await flowRuns(asAda, notebooks.id)} after (the target keeps 30 days)`);
// The one command that records two events (XFER-6): the source's log ends, the target's goes on.
for (const e of recent) console.log(`    event ${e.action.padEnd(26)} in the log of ${names.get(e.accountId) ?? e.accountId}`);
const transferredAt = moved.workspace.updatedAt;
await ok(
  `ada opens 'acme/ml-notebooks'`,
  kit.getWorkspaceByHandle(asAda, { fullHandle: 'acme/ml-notebooks' }),
  (w) => `${w.fullHandle} v${w.version}: update CLI profiles to this handle`,
);
await refused(`ada opens the old 'ada/notebooks'`, kit.getWorkspaceByHandle(asAda, { fullHandle: 'ada/notebooks' }), 'NOT_FOUND');
await ok(
  'linus opens it',
  kit.getWorkspace(asLinus, { workspaceId: notebooks.id }),
  (w) => `${w.fullHandle}: his developer grant moved with it`,
);
await refused('margaret opens it', kit.getWorkspace(asMargaret, { workspaceId: notebooks.id }), 'NOT_FOUND');
const laptop = await ok(
  `margaret's 'laptop' key is presented`,
  kit.resolveApiKey({ key: laptopKey.secret.reveal() }),
  (r) => `still authenticates ${names.get(r.principal.type === 'user' ? r.principal.userId : '') ?? '?'}`,
);
await refused('… and reads the workspace with it', kit.getWorkspace(laptop.principal, { workspaceId: notebooks.id }), 'NOT_FOUND');

heading('13. Retention: the scheduler prunes runs past the plan (RET-1, RET-2)');
// The host runs retention on a schedule, as the system principal. Ten days later, acme's
// 30-day cutoff has moved past the runs of early February.
clock.advance({ days: 10 });
const retention = system('retention');
console.log(`  ten days later: ${clock.now().toISOString()}`);
const pruneAcme = () => kit.pruneRuns(retention, { accountId });
const before = await flowRuns(asAda, notebooks.id);
await ok(
  'the retention job prunes acme',
  pruneAcme(),
  (r) => `${r.pruned} runs that ended before ${r.cutoff.slice(0, 16)} (${r.retentionDays} days), ${perWorkspace(r.byWorkspace)}`,
);
console.log(`    flow runs in acme/ml-notebooks: ${before} → ${await flowRuns(asAda, notebooks.id)}; the running one is never pruned`);
await ok('it runs again', pruneAcme(), (r) => `${r.pruned} runs: pruning is idempotent (complete: ${r.complete})`);
await ok(
  'the job walks every account',
  kit.pruneAllAccounts(retention, { limit: 100 }),
  (r) => `${r.accounts} accounts, ${r.pruned} runs due, next cursor ${r.nextCursor ?? 'none'}`,
);
const trail = await kit.listAuditEvents(asAda, { accountId, from: transferredAt });
if (trail.isErr()) unexpected(`ada reads acme's log since the transfer`, trail.error.code);
console.log(`\nacme's log since the transfer: each pruneRuns call records one event, pruneAllAccounts none of its own`);
printTable(
  ['time', 'actor', 'action', 'details'],
  trail.value.items.map((e) => [`${e.at.slice(5, 10)} ${e.at.slice(11, 16)}`, actorOf(e), e.action, summary(e)]),
);
console.log(`\n${published} events published to subscribers in all; refused commands recorded none.`);

// ─── Helpers ───────────────────────────────────────────────────────────────────────────────

function heading(title: string): void {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 72 - title.length))}`);
}

function unexpected(what: string, outcome: string): never {
  console.error(`  !! UNEXPECTED  ${what}: ${outcome}`);
  process.exit(1);
}

/** One line explaining an error, by its stable code (the union narrows on `code`). */
function explain(e: WorkspaceKitError): string {
  switch (e.code) {
    case 'VALIDATION':
      return e.issues.map((i) => `${i.rule ? `${i.rule}: ` : ''}${i.message}`).join('; ');
    case 'FORBIDDEN':
      return `missing scope ${e.missingScope}`;
    case 'PLAN_LIMIT_REACHED':
      return `limit ${e.limit}: plan ${e.planId} allows ${e.max}, account has ${e.current}`;
    case 'PLAN_DOWNGRADE_BLOCKED':
      return e.violations.map((v) => `${v.limit} ${v.current} > ${v.max}`).join(', ');
    case 'CONFLICT':
      return `expected version ${e.expectedVersion}, found ${e.actualVersion ?? 'none'}`;
    case 'INVITATION_INVALID':
    case 'UNAUTHENTICATED':
      return `reason ${e.reason}`;
    case 'PLAN_STALE':
      return `the state moved since plan ${short(e.fingerprint)}: plan again`;
    case 'TRANSFER_BLOCKED':
      return e.blockers.map((b) => b.code).join(', ');
    case 'TRANSFER_REQUEST_CLOSED':
      return `request ${e.requestId} is ${e.status}`;
    default:
      return e.message;
  }
}

/** A step that must succeed: prints what it produced. Each step moves the clock a minute. */
async function ok<T>(what: string, result: KitResult<T>, show: (value: T) => string): Promise<T> {
  const r = await result;
  clock.advance({ minutes: 1 });
  if (r.isErr()) unexpected(what, `${r.error.code} ${explain(r.error)}`);
  console.log(`  ✓ ${what.padEnd(WIDTH)} ${show(r.value)}`);
  return r.value;
}

/** A step that must be refused with `code`: prints the reason the error carries. */
async function refused(what: string, result: KitResult<unknown>, code: ErrorCode): Promise<void> {
  const r = await result;
  clock.advance({ minutes: 1 });
  if (r.isOk()) unexpected(what, `succeeded, expected ${code}`);
  if (r.error.code !== code) unexpected(what, `${r.error.code} (${explain(r.error)}), expected ${code}`);
  console.log(`  ✗ ${what.padEnd(WIDTH)} ${code.padEnd(22)} ${explain(r.error)}`);
}

async function register(displayName: string, email: string, handle: string) {
  const u = await ok(
    `register ${displayName}`,
    kit.registerUser(signup, { email, displayName, handle }),
    (v) => `${v.user.email}, personal account @${v.account.handle} (${v.account.planId})`,
  );
  names.set(u.user.id, u.account.handle);
  names.set(u.account.id, `@${u.account.handle}`);
  return u;
}

async function createWorkspace(actorName: string, actor: Principal, handle: string, description: string) {
  const ws = await ok(
    `${actorName} creates '${handle}'`,
    kit.createWorkspace(actor, { accountId, handle, description }),
    (w) => `${w.fullHandle} v${w.version} (${w.id})`,
  );
  names.set(ws.id, `${ws.fullHandle} (${ws.id})`);
  return ws;
}

/** An access explanation, scope → sources, with the scopes of the same sources on one line. */
function printExplanation(x: AccessExplanation): void {
  const label = (source: AccessSource): string => {
    switch (source.kind) {
      case 'system':
        return 'system';
      case 'account-role':
        return `account role ${source.accountRole}`;
      case 'grant':
        return `grant ${source.roleName}`;
      case 'default-role':
        return `default role ${source.roleName}`;
    }
  };
  const groups = new Map<string, string[]>();
  for (const scope of x.scopes) {
    const from = (x.sources[scope] ?? []).map(label).join(' + ');
    groups.set(from, [...(groups.get(from) ?? []), scope]);
  }
  for (const [from, scopes] of groups) {
    console.log(`    from ${from} (${scopes.length}):`);
    printWrapped(scopes.join(' '), 6);
  }
  for (const note of x.notes) console.log(`    note: ${note}`);
}

/** Prints text wrapped at spaces and commas to about 100 columns, indented. */
function printWrapped(text: string, indent: number): void {
  const width = 100 - indent;
  let rest = text;
  while (rest.length > width) {
    const cut = Math.max(rest.lastIndexOf(' ', width), rest.lastIndexOf(',', width - 1) + 1);
    const at = cut > 0 ? cut : width;
    console.log(' '.repeat(indent) + rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.length > 0) console.log(' '.repeat(indent) + rest);
}

/** The first 12 characters of a plan fingerprint, enough to tell two plans apart. */
function short(fingerprint: string): string {
  return `${fingerprint.slice(0, 12)}…`;
}

/** How many flow runs a workspace holds (from the deletion preview's counts by kind). */
async function flowRuns(actor: Principal, workspaceId: string): Promise<number> {
  const preview = await kit.previewWorkspaceDeletion(actor, { workspaceId });
  if (preview.isErr()) unexpected('counting flow runs', preview.error.code);
  return preview.value.resources['flow-run'] ?? 0;
}

/** Runs pruned per workspace, by the workspaces' readable names. */
function perWorkspace(byId: Readonly<Record<string, number>>): string {
  return Object.entries(byId).map(([id, n]) => `${n} in ${names.get(id)?.split(' ')[0] ?? id}`).join(', ');
}

function counts(byKind: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(byKind).map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function actorOf(e: AuditEvent): string {
  if (e.actor.type === 'user') return names.get(e.actor.userId) ?? e.actor.userId;
  if (e.actor.type === 'system') return `system:${e.actor.name}`;
  return names.get(e.actor.serviceAccountId) ?? e.actor.serviceAccountId;
}

function subjectOf(e: AuditEvent): string {
  const [, userId] = e.subject.id.split('/'); // a membership's subject id is `accountId/userId`
  if (e.subject.type === 'membership' && userId) return `member ${names.get(userId) ?? userId}`;
  if (e.subject.type === 'grant') {
    const workspace = names.get(e.workspaceId ?? '')?.split(' ')[0] ?? e.workspaceId;
    return `grant ${workspace} → ${granteeName((e.details as Record<string, unknown>).grantee)}`;
  }
  return `${e.subject.type} ${names.get(e.subject.id) ?? e.subject.id}`;
}

/** The name of a grantee or key owner recorded in an event: `{ type, userId }` or `{ type, serviceAccountId }`. */
function granteeName(grantee: unknown): string {
  const { userId, serviceAccountId } = grantee as { userId?: string; serviceAccountId?: string };
  const id = userId ?? serviceAccountId ?? '?';
  return names.get(id) ?? id;
}

/** The gist of an event's details: created values, `from → to` changes, counts by kind. */
function summary(e: AuditEvent): string {
  const d = e.details as Record<string, unknown>;
  const fromTo = (v: unknown): string => {
    const { from, to } = v as { from: string; to: string };
    return `${from} → ${to}`;
  };
  switch (e.action) {
    case 'account.created':
      return `handle ${String(d.handle)}, plan ${String(d.planId)}`;
    case 'account.plan-changed':
      return `plan ${fromTo(d.planId)}`;
    case 'member.added':
      return `role ${String(d.role)}`;
    case 'workspace.created':
      return `handle ${String(d.handle)}`;
    case 'workspace.updated':
      return Object.entries(d.changes as Record<string, unknown>)
        .map(([field, change]) => `${field} ${fromTo(change)}`)
        .join('; ');
    case 'resources.tracked':
      return counts(d.counts as Record<string, number>);
    case 'workspace.deleted':
      return `handle ${String(d.handle)}, ${String(d.totalResources)} resources`;
    case 'workspace.default-role-changed':
      return `default role ${fromTo(d.defaultRole).replace('null', 'none')}`;
    case 'workspace.shared':
      return `role ${String(d.role)}`;
    case 'workspace.share-changed':
      return `role ${fromTo(d.role)}`;
    case 'service-account.created':
      return `name ${String(d.name)}`;
    case 'api-key.created':
      return `'${String(d.name)}' for ${granteeName(d.owner)}`;
    case 'api-key.rotated':
      return `new key ${String(d.newKeyId)}, old one until ${String(d.previousValidUntil).slice(0, 16)}`;
    case 'runs.pruned':
      return `${String(d.pruned)} runs that ended before ${String(d.cutoff).slice(0, 16)}`;
    case 'workspace.transferred-in':
    case 'workspace.transferred-out':
      return `${String(d.from)} → ${String(d.to)}; runs pruned ${String(d.runsPruned)}, grants removed ${String(d.grantsRemoved)}`;
    default:
      return JSON.stringify(d);
  }
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    '  ' + cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '─'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

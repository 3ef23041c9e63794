// A guided tour of workspace-kit, in memory: `npm run demo`.
//
// It tells one story (sign-up, an organization, workspaces, plans, edits, deletion, the audit
// log) and doubles as a smoke test: a step whose outcome differs from the expected one prints
// UNEXPECTED and the process exits with status 1. The helpers that print are at the bottom.
import {
  asUser,
  createWorkspaceKit,
  manualClock,
  sequentialIds,
  system,
  type AuditEvent,
  type ErrorCode,
  type KitResult,
  type Principal,
  type WorkspaceKitError,
} from '../src/index.js';
import { createMemoryStore } from '../src/memory.js';

// A manual clock and sequential ids make every run print the same times and ids.
const clock = manualClock('2026-03-02T09:00:00.000Z');
const kit = createWorkspaceKit({ store: createMemoryStore(), clock, ids: sequentialIds() });

const names = new Map<string, string>(); // readable names for ids, filled in as we go
let published = 0;
kit.subscribe(() => {
  published += 1; // listeners run after commit: the hook for emails, webhooks, search indexes
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

heading('8. The audit log of acme (a pro feature, for Owners and Admins)');
await refused('linus (member) reads the audit log', kit.listAuditEvents(asLinus, { accountId }), 'FORBIDDEN');
const log = await kit.listAuditEvents(asAda, { accountId, limit: 100 });
if (log.isErr()) unexpected('ada reads the audit log', `${log.error.code} ${explain(log.error)}`);
printTable(
  ['time', 'actor', 'action', 'subject', 'details'],
  log.value.items.map((e) => [e.at.slice(11, 19), actorOf(e), e.action, subjectOf(e), summary(e)]),
);
console.log(`\n${log.value.items.length} events in acme's log, ${published} published to subscribers in all.`);
console.log('Refused commands recorded nothing; each sign-up is logged in its personal account.');

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

function counts(byKind: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(byKind).map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function actorOf(e: AuditEvent): string {
  if (e.actor.type === 'user') return names.get(e.actor.userId) ?? e.actor.userId;
  return e.actor.type === 'system' ? `system:${e.actor.name}` : `service-account:${e.actor.serviceAccountId}`;
}

function subjectOf(e: AuditEvent): string {
  const [, userId] = e.subject.id.split('/'); // a membership's subject id is `accountId/userId`
  if (e.subject.type === 'membership' && userId) return `member ${names.get(userId) ?? userId}`;
  return `${e.subject.type} ${names.get(e.subject.id) ?? e.subject.id}`;
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

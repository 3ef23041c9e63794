import type { Grantee } from '../core/principal.js';
import type { TransferPlan } from './plan.js';

/** Display names a host knows for ids (users, service accounts); ids are shown otherwise. */
export interface PlanLabels {
  readonly users?: Readonly<Record<string, string>>;
  readonly serviceAccounts?: Readonly<Record<string, string>>;
}

function who(grantee: Grantee, labels: PlanLabels): string {
  return grantee.type === 'user'
    ? (labels.users?.[grantee.userId] ?? grantee.userId)
    : `service account ${labels.serviceAccounts?.[grantee.serviceAccountId] ?? grantee.serviceAccountId}`;
}

function list(title: string, lines: readonly string[], empty: string): string[] {
  return lines.length === 0 ? [`${title}: ${empty}`] : [`${title}:`, ...lines.map((l) => `  - ${l}`)];
}

/**
 * Renders a transfer plan as the plain text of a "review impacts" page (XFER-4): blockers first,
 * then every impact. The JSON form is the plan itself (`JSON.stringify(plan)`): every field is
 * plain data.
 *
 * @example
 * ```ts
 * console.log(renderTransferPlan(plan, { users: { usr_2: 'bob@example.com' } }));
 * ```
 */
export function renderTransferPlan(plan: TransferPlan, labels: PlanLabels = {}): string {
  const i = plan.impacts;
  const lines: string[] = [`Transfer ${i.handle.from} → ${i.handle.to}`];
  if (plan.blockers.length > 0) {
    lines.push(...list('Blocked', plan.blockers.map((b) => `${b.code}: ${b.message}`), ''));
  } else {
    lines.push(
      plan.approvalNeeded === 'none'
        ? 'Ready: nothing blocks the transfer.'
        : `Ready once approved by the ${plan.approvalNeeded === 'support' ? 'support team' : `${plan.approvalNeeded} account`}.`,
    );
  }
  lines.push(`CLI profiles: replace ${i.handle.from} with ${i.handle.to}`);
  lines.push(
    ...list('Users losing access', i.accessLost.users.map((u) => labels.users?.[u] ?? u), 'none'),
    ...list('Service accounts losing access', i.accessLost.serviceAccounts.map((s) => `${s.name} (${s.id})`), 'none'),
    ...list('API keys losing access', i.accessLost.apiKeys.map((k) => `${k.name} (${k.id}) of ${who(k.owner, labels)}`), 'none'),
    ...list('Grants removed', i.grantsRemoved.map((g) => `${who(g.grantee, labels)} (${g.role}): ${g.reason}`), 'none'),
    ...list('Grants remapped', i.grantsRemapped.map((g) => `${who(g.grantee, labels)}: ${g.from.name} → ${g.to.name} (${g.reason})`), 'none'),
  );
  if (i.defaultRole.from !== i.defaultRole.to) lines.push(`Default role: ${i.defaultRole.from ?? 'none'} → ${i.defaultRole.to ?? 'none'}`);
  lines.push(...list('Pending invitations cancelled', i.invitationsCancelled.map((v) => `${v.email} (${v.role})`), 'none'));
  lines.push(
    i.runsPruned.count === 0
      ? `Run history: kept (nothing ended before ${i.runsPruned.cutoff}, ${i.runsPruned.retentionDays}-day retention)`
      : `Run history: ${i.runsPruned.count} runs that ended before ${i.runsPruned.cutoff} are removed (${i.runsPruned.retentionDays}-day retention)`,
  );
  lines.push(`Audit log: the source keeps the history up to the transfer; the target records everything after`);
  const w = i.target.workspaces;
  const seats = i.target.seats;
  lines.push(`Target workspaces: ${w.current} → ${w.after} of ${w.max ?? 'unlimited'}; seats: ${seats.after} of ${seats.max ?? 'unlimited'}`);
  lines.push(`Fingerprint: ${plan.fingerprint.slice(0, 16)}…`);
  return lines.join('\n');
}

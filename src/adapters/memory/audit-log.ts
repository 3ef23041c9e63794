import type { AuditEvent } from '../../audit/audit-event.js';
import type { AccountId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/paging.js';
import type { AuditFilter } from '../../ports/repositories.js';
import { principalKey } from '../../core/principal.js';

/** Events of one index key, in sequence order; `ordered` while their times never went back. */
interface Posting {
  readonly events: AuditEvent[];
  ordered: boolean;
}

const SEP = '\u0000';

function actorKey(e: AuditEvent): string {
  return principalKey(e.actor);
}

/** The index keys an event is filed under: its account, workspace, action and actor. */
function keysOf(e: AuditEvent): string[] {
  const keys = [`a${SEP}${e.accountId}`, `x${SEP}${e.accountId}${SEP}${e.action}`, `u${SEP}${e.accountId}${SEP}${actorKey(e)}`];
  if (e.workspaceId !== null) keys.push(`w${SEP}${e.accountId}${SEP}${e.workspaceId}`);
  return keys;
}

/** First index in `events` whose value by `key` is > `bound` (or >= when `inclusive`). */
function search(events: readonly AuditEvent[], pick: (e: AuditEvent) => number | string, bound: number | string, inclusive: boolean): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = pick(events[mid]!);
    if (inclusive ? v < bound : v <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The in-memory audit log: every event filed under its account, workspace, action and actor.
 * A query starts from the smallest index its filters allow, narrows by sequence cursor and —
 * while that index's times are in order, as they are with any forward-moving clock — by binary
 * search on `from`/`to`; only the filters it could not narrow by are checked event by event.
 */
export class MemoryAuditLog {
  private readonly postings = new Map<string, Posting>();

  /** Files an event (whose sequence is the largest so far); returns the function undoing it. */
  append(event: AuditEvent): () => void {
    const touched: { posting: Posting; wasOrdered: boolean }[] = [];
    for (const key of keysOf(event)) {
      let posting = this.postings.get(key);
      if (!posting) {
        posting = { events: [], ordered: true };
        this.postings.set(key, posting);
      }
      const last = posting.events[posting.events.length - 1];
      touched.push({ posting, wasOrdered: posting.ordered });
      if (last && last.at > event.at) posting.ordered = false;
      posting.events.push(event);
    }
    return () => {
      for (const { posting, wasOrdered } of touched) {
        posting.events.pop();
        posting.ordered = wasOrdered;
      }
    };
  }

  /** Every event of every account, by sequence. */
  all(): AuditEvent[] {
    const out: AuditEvent[] = [];
    for (const [key, posting] of this.postings) if (key.startsWith(`a${SEP}`)) out.push(...posting.events);
    return out.sort((a, b) => a.sequence - b.sequence);
  }

  list(
    accountId: AccountId,
    filter: AuditFilter,
    page: PageRequest & { readonly order?: 'asc' | 'desc' | undefined },
  ): Page<AuditEvent> {
    const candidates: Posting[] = [];
    const add = (key: string): void => {
      candidates.push(this.postings.get(key) ?? { events: [], ordered: true });
    };
    add(`a${SEP}${accountId}`);
    if (filter.workspaceId !== undefined) add(`w${SEP}${accountId}${SEP}${filter.workspaceId}`);
    if (filter.action !== undefined) add(`x${SEP}${accountId}${SEP}${filter.action}`);
    if (filter.actor !== undefined) add(`u${SEP}${accountId}${SEP}${filter.actor}`);
    const posting = candidates.reduce((best, p) => (p.events.length < best.events.length ? p : best));
    const events = posting.events;

    // The slice [lo, hi) that cursor and, when the times are in order, from/to allow.
    let lo = 0;
    let hi = events.length;
    if (posting.ordered) {
      if (filter.from !== undefined) lo = search(events, (e) => e.at, filter.from, true);
      if (filter.to !== undefined) hi = search(events, (e) => e.at, filter.to, true);
    }
    const cursor = page.cursor === undefined ? undefined : Number(page.cursor);
    const desc = page.order === 'desc';
    if (cursor !== undefined && !Number.isNaN(cursor)) {
      if (desc) hi = Math.min(hi, search(events, (e) => e.sequence, cursor, true));
      else lo = Math.max(lo, search(events, (e) => e.sequence, cursor, false));
    }

    const items: AuditEvent[] = [];
    let more = false;
    for (let n = 0; n < hi - lo; n += 1) {
      const e = events[desc ? hi - 1 - n : lo + n]!;
      if (!matches(e, filter)) continue;
      if (items.length === page.limit) {
        more = true;
        break;
      }
      items.push(e);
    }
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? String(last.sequence) : null };
  }
}

function matches(e: AuditEvent, f: AuditFilter): boolean {
  if (f.workspaceId !== undefined && e.workspaceId !== f.workspaceId) return false;
  if (f.action !== undefined && e.action !== f.action) return false;
  if (f.actor !== undefined && actorKey(e) !== f.actor) return false;
  if (f.from !== undefined && e.at < f.from) return false;
  if (f.to !== undefined && e.at >= f.to) return false;
  return true;
}

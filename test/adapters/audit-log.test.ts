import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../../src/adapters/memory/audit-log.js';
import type { AuditAction, AuditEvent } from '../../src/audit/audit-event.js';
import type { AccountId, AuditEventId, WorkspaceId } from '../../src/core/ids.js';
import { principalKey } from '../../src/core/principal.js';
import type { AuditFilter } from '../../src/ports/repositories.js';

const ACTIONS: AuditAction[] = ['workspace.created', 'workspace.updated', 'workspace.deleted'];
const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

const eventArb = fc.record({
  account: fc.constantFrom('acc_1', 'acc_2'),
  workspace: fc.option(fc.constantFrom('ws_1', 'ws_2', 'ws_3'), { nil: null }),
  action: fc.constantFrom(...ACTIONS),
  actor: fc.constantFrom('usr_1', 'usr_2', 'cron'),
  minute: fc.integer({ min: 0, max: 30 }),
});

const filterArb = fc.record(
  {
    workspaceId: fc.constantFrom('ws_1', 'ws_2', 'ws_3'),
    action: fc.constantFrom(...ACTIONS),
    actor: fc.constantFrom('usr_1', 'usr_2', 'cron'),
    from: fc.integer({ min: 0, max: 30 }).map(at),
    to: fc.integer({ min: 0, max: 31 }).map(at),
  },
  { requiredKeys: [] },
);

function naive(events: readonly AuditEvent[], accountId: string, f: AuditFilter): AuditEvent[] {
  return events.filter(
    (e) =>
      e.accountId === accountId &&
      (f.workspaceId === undefined || e.workspaceId === f.workspaceId) &&
      (f.action === undefined || e.action === f.action) &&
      (f.actor === undefined || principalKey(e.actor) === f.actor) &&
      (f.from === undefined || e.at >= f.from) &&
      (f.to === undefined || e.at < f.to),
  );
}

describe('the in-memory audit log index (AUD-2, STORE-2)', () => {
  it('AUD-2 every filtered, paged query equals a full scan, with times in order or not', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 60 }),
        fc.boolean(),
        filterArb,
        fc.constantFrom('acc_1', 'acc_2'),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
        (specs, sortTimes, filter, accountId, limit, order) => {
          const minutes = specs.map((s) => s.minute);
          if (sortTimes) minutes.sort((a, b) => a - b);
          const log = new MemoryAuditLog();
          const events: AuditEvent[] = specs.map((s, i) => ({
            id: `evt_${i}` as AuditEventId,
            sequence: i + 1,
            accountId: s.account as AccountId,
            workspaceId: s.workspace as WorkspaceId | null,
            actor: s.actor === 'cron' ? { type: 'system', name: 'cron' } : { type: 'user', userId: s.actor as never },
            action: s.action,
            subject: { type: 'workspace', id: s.workspace ?? 'none' },
            at: at(minutes[i]!),
            details: {},
          }));
          for (const e of events) log.append(e);
          const expected = naive(events, accountId, filter as AuditFilter);
          if (order === 'desc') expected.reverse();
          const seen: AuditEvent[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages < 100; pages += 1) {
            const page = log.list(accountId as AccountId, filter as AuditFilter, { limit, cursor, order });
            seen.push(...page.items);
            if (page.nextCursor === null) break;
            cursor = page.nextCursor;
          }
          expect(seen.map((e) => e.sequence)).toEqual(expected.map((e) => e.sequence));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('STORE-2 undoing an append restores the index, including its time order', () => {
    const log = new MemoryAuditLog();
    const make = (sequence: number, minute: number): AuditEvent => ({
      id: `evt_${sequence}` as AuditEventId,
      sequence,
      accountId: 'acc_1' as AccountId,
      workspaceId: null,
      actor: { type: 'system', name: 'cron' },
      action: 'workspace.created',
      subject: { type: 'workspace', id: 'x' },
      at: at(minute),
      details: {},
    });
    log.append(make(1, 10));
    const undo = log.append(make(2, 5)); // the clock went back
    undo();
    log.append(make(2, 20));
    const page = log.list('acc_1' as AccountId, { from: at(15) }, { limit: 10 });
    expect(page.items.map((e) => e.sequence)).toEqual([2]);
    expect(log.all().map((e) => e.sequence)).toEqual([1, 2]);
  });
});

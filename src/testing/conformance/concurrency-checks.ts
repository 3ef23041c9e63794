import type { Account } from '../../account/account.js';
import type { AuditEvent } from '../../audit/audit-event.js';
import { asServiceAccount, asUser } from '../../core/principal.js';
import type { Invitation } from '../../workspace/invitation.js';
import type { Workspace } from '../../workspace/workspace.js';
import { byCodeUnit, expectDeepEqual, expectEqual, expectTrue, show, tally } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { expectOnlyPage } from './paging.js';
import {
  Fixtures,
  inTx,
  insertAccount,
  insertApiKey,
  insertInvitation,
  insertMembership,
  insertPersonal,
  insertTransferRequest,
  insertWorkspace,
  seedAccessWorld,
  seedAccounts,
  seedOrganization,
  seedPeople,
  seedWorkspaces,
  sleep,
} from './fixtures.js';

/** Starts `n` units of work at once (Promise.all) and waits for all of them. */
function race<T>(n: number, work: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => work(i)));
}

/** Expects exactly one `'ok'` and every other outcome to be `loser`. */
function expectOneWinner(outcomes: readonly string[], loser: string, what: string): number {
  expectDeepEqual(tally(outcomes), { ok: 1, [loser]: outcomes.length - 1 }, `${what}: outcomes of ${outcomes.length} concurrent units of work`);
  return outcomes.indexOf('ok');
}

class Rollback extends Error {
  constructor() {
    super('conformance: roll back');
    this.name = 'ConformanceRollback';
  }
}

const edited = (w: Workspace, description: string): Workspace => ({ ...w, description, version: w.version + 1 });

/** The `concurrency` suite: atomic primitives and locks hold under concurrent units of work (HDL-4, ACC-4, WS-5). */
export function concurrencyChecks(): ConformanceCheck[] {
  return [
    defineCheck('concurrency', 'workspace-handle-race', ['HDL-4'], "of 50 concurrent inserts of one workspace handle in one account exactly one gets 'ok', the rest 'handle-taken'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const handle = f.handle('race');
      const contenders = Array.from({ length: 50 }, () => f.workspace(org.id, { handle }));
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.workspaces.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'handle-taken', 'workspaces.insert')]!;
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.countByAccount(org.id), 1, 'workspaces.countByAccount after the race');
        expectDeepEqual(await tx.workspaces.getByHandle(org.id, handle), winner, 'the workspace holding the handle is the winner');
        expectOnlyPage(await tx.workspaces.listByAccount(org.id, { limit: 500 }), [winner], 'workspaces.listByAccount after the race');
      });
    }),

    defineCheck('concurrency', 'account-handle-race', ['HDL-4', 'HDL-1'], "of 50 concurrent inserts of accounts with one handle exactly one gets 'ok', the rest 'handle-taken'", async (store) => {
      const f = new Fixtures();
      const handle = f.handle('race');
      const contenders = Array.from({ length: 50 }, () => f.organization({ handle }));
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.accounts.insert(contenders[i]!)));
      const winner = expectOneWinner(outcomes, 'handle-taken', 'accounts.insert');
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getByHandle(handle), contenders[winner], 'the account holding the handle is the winner');
        for (const [i, c] of contenders.entries()) {
          if (i !== winner) expectEqual(await tx.accounts.getById(c.id), null, `accounts.getById of loser #${i}`);
        }
      });
    }),

    defineCheck('concurrency', 'user-email-race', ['ACC-1'], "of 50 concurrent inserts of users with one email exactly one gets 'ok', the rest 'email-taken'", async (store) => {
      const f = new Fixtures();
      const email = `race-${f.tag}@example.test`;
      const contenders = Array.from({ length: 50 }, () => f.personal({ email }));
      const outcomes = await race(50, (i) =>
        inTx(store, async (tx) => {
          const outcome = await tx.users.insert(contenders[i]!.user);
          if (outcome === 'ok') await insertAccount(tx, contenders[i]!.account);
          return outcome;
        }),
      );
      const winner = expectOneWinner(outcomes, 'email-taken', 'users.insert');
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.users.getByEmail(email), contenders[winner]!.user, 'the user holding the email is the winner');
      });
    }),

    defineCheck('concurrency', 'membership-insert-race', ['INV-3'], "of 20 concurrent inserts of one membership exactly one gets 'ok', the rest 'exists'", async (store) => {
      const f = new Fixtures();
      const { account } = await seedOrganization(store, f, ['owner']);
      const [joiner] = await seedPeople(store, f, 1);
      const roles = ['member', 'admin'] as const;
      const contenders = Array.from({ length: 20 }, (_, i) => f.membership(account.id, joiner!.user.id, roles[i % 2]));
      const outcomes = await race(20, (i) => inTx(store, (tx) => tx.memberships.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'exists', 'memberships.insert')]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.memberships.get(account.id, joiner!.user.id), winner, 'the stored membership is the winner');
        const counts = await tx.memberships.countByRole(account.id);
        expectEqual(counts.owner + counts.admin + counts.member, 2, 'members counted after the race');
      });
    }),

    defineCheck('concurrency', 'workspace-update-race', ['WS-5'], "of 20 concurrent updates of one workspace from one version exactly one gets 'ok', the rest 'conflict'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const w = f.workspace(org.id);
      await seedWorkspaces(store, [w]);
      const contenders = Array.from({ length: 20 }, (_, i) => edited(w, `edit ${i}`));
      const outcomes = await race(20, (i) => inTx(store, (tx) => tx.workspaces.update(contenders[i]!, w.version)));
      const winner = contenders[expectOneWinner(outcomes, 'conflict', 'workspaces.update')]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.workspaces.getById(w.id), winner, 'the stored workspace is the winner');
      });
    }),

    defineCheck('concurrency', 'workspace-delete-race', ['WS-4', 'WS-5'], "of 20 concurrent deletes of one workspace exactly one gets 'ok', the rest 'conflict'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const [w, keep] = [f.workspace(org.id), f.workspace(org.id)];
      await seedWorkspaces(store, [w, keep]);
      const outcomes = await race(20, () => inTx(store, (tx) => tx.workspaces.delete(w.id, w.version)));
      expectOneWinner(outcomes, 'conflict', 'workspaces.delete');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.countByAccount(org.id), 1, 'workspaces.countByAccount after the race');
        expectEqual(await tx.workspaces.getById(w.id), null, 'the deleted workspace');
      });
    }),

    defineCheck('concurrency', 'account-update-race', ['ACC-2'], "of 20 concurrent updates of one account from one version exactly one gets 'ok', the rest 'conflict'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const contenders: Account[] = Array.from({ length: 20 }, (_, i) => ({ ...org, displayName: `edit ${i}`, version: org.version + 1 }));
      const outcomes = await race(20, (i) => inTx(store, (tx) => tx.accounts.update(contenders[i]!, org.version)));
      const winner = contenders[expectOneWinner(outcomes, 'conflict', 'accounts.update')]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.accounts.getById(org.id), winner, 'the stored account is the winner');
      });
    }),

    defineCheck('concurrency', 'lock-serializes-read-modify-write', ['ACC-4', 'PLAN-4'], 'units of work that lock an account, read it and update it at the version read never conflict, and no update is lost', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const n = 10;
      const outcomes = await race(n, (i) =>
        inTx(store, async (tx) => {
          await tx.accounts.lock(org.id);
          const current = await tx.accounts.getById(org.id);
          if (!current) return 'missing';
          const next = { ...current, displayName: `${current.displayName} +${i}`, version: current.version + 1 };
          return tx.accounts.update(next, current.version);
        }),
      );
      expectDeepEqual(tally(outcomes), { ok: n }, 'outcomes of locked read-modify-write units of work');
      const final = await inTx(store, (tx) => tx.accounts.getById(org.id));
      expectEqual(final?.version, org.version + n, 'the version after every locked update');
      expectEqual(final?.displayName.split('+').length, n + 1, `every locked update is kept in ${show(final?.displayName)}`);
    }),

    defineCheck('concurrency', 'last-owner-guard', ['ACC-4'], 'units of work that lock the account, count owners and demote or remove one only if another owner remains never leave an organization without an owner', async (store) => {
      const f = new Fixtures();
      const { account, members } = await seedOrganization(store, f, ['owner', 'owner', 'owner', 'member']);
      const owners = members.filter((m) => m.membership.role === 'owner').map((m) => m.person.user.id);
      const attempts = owners.flatMap((userId) => [
        { userId, action: 'demote' as const },
        { userId, action: 'remove' as const },
      ]);
      const outcomes = await race(attempts.length, (i) =>
        inTx(store, async (tx) => {
          const { userId, action } = attempts[i]!;
          await tx.accounts.lock(account.id);
          const counts = await tx.memberships.countByRole(account.id);
          const current = await tx.memberships.get(account.id, userId);
          if (current?.role !== 'owner') return 'not-an-owner';
          if (counts.owner <= 1) return 'refused';
          const outcome =
            action === 'demote'
              ? await tx.memberships.updateRole(account.id, userId, 'admin')
              : await tx.memberships.delete(account.id, userId);
          expectEqual(outcome, 'ok', `memberships.${action === 'demote' ? 'updateRole' : 'delete'} of an owner under lock`);
          return 'done';
        }),
      );
      const counts = await inTx(store, (tx) => tx.memberships.countByRole(account.id));
      expectTrue(counts.owner >= 1, `ACC-4: the organization was left with ${counts.owner} owners (outcomes ${show(tally(outcomes))})`);
      expectEqual(counts.owner, 1, 'owners left after the concurrent demotions and removals');
      expectEqual(tally(outcomes).done, 2, 'demotions and removals applied');
    }),

    defineCheck('concurrency', 'workspace-limit-guard', ['PLAN-1'], 'units of work that lock the account, count its workspaces and insert only below a limit never exceed the limit', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const limit = 3;
      const outcomes = await race(10, () =>
        inTx(store, async (tx) => {
          await tx.accounts.lock(org.id);
          if ((await tx.workspaces.countByAccount(org.id)) >= limit) return 'refused';
          await insertWorkspace(tx, f.workspace(org.id));
          return 'inserted';
        }),
      );
      expectDeepEqual(tally(outcomes), { inserted: limit, refused: 10 - limit }, 'outcomes of concurrent guarded inserts');
      expectEqual(await inTx(store, (tx) => tx.workspaces.countByAccount(org.id)), limit, 'workspaces.countByAccount after the race');
    }),

    defineCheck('concurrency', 'role-name-race', ['ROLE-2'], "of 50 concurrent inserts of custom roles with one name in one account exactly one gets 'ok', the rest 'name-taken'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const name = `Race ${f.tag}`;
      const contenders = Array.from({ length: 50 }, () => f.role(org.id, { name }));
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.roles.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'name-taken', 'roles.insert')]!;
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.roles.listByAccount(org.id, { limit: 500 }), [winner], 'roles.listByAccount after the race');
      });
    }),

    defineCheck('concurrency', 'service-account-name-race', ['SA-1'], "of 50 concurrent inserts of service accounts with one name in one account exactly one gets 'ok', the rest 'name-taken'", async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const name = `Race ${f.tag}`;
      const contenders = Array.from({ length: 50 }, () => f.serviceAccount(org.id, { name }));
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.serviceAccounts.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'name-taken', 'serviceAccounts.insert')]!;
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.serviceAccounts.listByAccount(org.id, { limit: 500 }), [winner], 'serviceAccounts.listByAccount after the race');
      });
    }),

    defineCheck('concurrency', 'grant-insert-race', ['SHR-1'], "of 50 concurrent inserts of one grant (workspace, grantee) exactly one gets 'ok', the rest 'exists'", async (store) => {
      const { f, org, people, ws } = await seedAccessWorld(store);
      const alice = asUser(people[0]!.user.id);
      const roles = ['developer', 'viewer', 'runner'] as const;
      const contenders = Array.from({ length: 50 }, (_, i) => f.grant(ws[0]!, alice, roles[i % 3]));
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.grants.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'exists', 'grants.insert')]!;
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.grants.listByWorkspace(ws[0]!.id, { limit: 500 }), [winner], 'grants.listByWorkspace after the race');
        expectEqual(await tx.grants.countByRole(org.id, winner.role), 1, 'grants.countByRole of the winning role after the race');
      });
    }),

    defineCheck('concurrency', 'pending-invitation-race', ['INV-1'], "of 50 concurrent inserts of pending invitations for one (account, target, email) exactly one gets 'ok', the rest 'exists'", async (store) => {
      const { f, org, ws } = await seedAccessWorld(store);
      const email = f.email();
      const contenders = Array.from({ length: 50 }, (_, i) =>
        f.workspaceInvitation(ws[0]!, i % 2 === 0 ? 'developer' : 'viewer', { email }),
      );
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.invitations.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'exists', 'invitations.insert')]!;
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.invitations.listByAccount(org.id, {}, { limit: 500 }), [winner], 'invitations.listByAccount after the race');
      });
    }),

    defineCheck('concurrency', 'transfer-request-insert-race', ['XFER-2'], "of 50 concurrent inserts of pending transfer requests for one workspace exactly one gets 'ok', the rest 'exists'", async (store) => {
      const { f, other, people, ws } = await seedAccessWorld(store);
      const targets = [other.id, people[0]!.account.id, people[1]!.account.id];
      const contenders = Array.from({ length: 50 }, (_, i) => f.transferRequest(ws[0]!, targets[i % 3]!, asUser(people[i % 3]!.user.id)));
      const outcomes = await race(50, (i) => inTx(store, (tx) => tx.transferRequests.insert(contenders[i]!)));
      const winner = contenders[expectOneWinner(outcomes, 'exists', 'transferRequests.insert')]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.transferRequests.getPendingByWorkspace(ws[0]!.id), winner, 'the pending request after the race is the winner');
        for (const c of contenders) if (c !== winner) expectEqual(await tx.transferRequests.getById(c.id), null, `a losing request (${c.id}) must not be stored`);
      });
    }),

    defineCheck('concurrency', 'transfer-request-update-race', ['XFER-2', 'XFER-5'], "units of work that read a pending transfer request and answer it at the version read: of 20 concurrent ones exactly one answers, the others see it answered", async (store) => {
      const { f, other, people, ws } = await seedAccessWorld(store, { people: 20 });
      const request = f.transferRequest(ws[0]!, other.id, asUser(people[0]!.user.id));
      await inTx(store, (tx) => insertTransferRequest(tx, request));
      const outcomes = await race(20, (i) =>
        inTx(store, async (tx) => {
          const current = await tx.transferRequests.getById(request.id);
          if (current?.status !== 'pending') return 'not-pending';
          const answered = { ...current, status: i % 2 === 0 ? 'approved' : 'rejected', respondedAt: f.at(30 + i), respondedBy: asUser(people[i]!.user.id), version: current.version + 1 } as const;
          return tx.transferRequests.update(answered, current.version);
        }),
      );
      expectDeepEqual(tally(outcomes), { ok: 1, 'not-pending': 19 }, 'outcomes of concurrent read-then-answer units of work');
      const stored = await inTx(store, (tx) => tx.transferRequests.getById(request.id));
      expectEqual(stored?.version, request.version + 1, 'the version after the race');
      expectEqual(await inTx(store, (tx) => tx.transferRequests.getPendingByWorkspace(ws[0]!.id)), null, 'no pending request after the race');
    }),

    defineCheck('concurrency', 'invitation-update-race', ['INV-3'], "of 20 concurrent guarded updates of one invitation from one version exactly one gets 'ok', the rest 'conflict'", async (store) => {
      const { f, org, people } = await seedAccessWorld(store);
      const inv = f.invitation(org.id);
      await inTx(store, (tx) => insertInvitation(tx, inv));
      const contenders: Invitation[] = Array.from({ length: 20 }, (_, i) => ({
        ...inv,
        status: i % 2 === 0 ? 'accepted' : 'revoked',
        respondedAt: f.at(30 + i),
        acceptedBy: i % 2 === 0 ? people[i % 3]!.user.id : null,
        version: inv.version + 1,
      }));
      const outcomes = await race(20, (i) => inTx(store, (tx) => tx.invitations.update(contenders[i]!, inv.version)));
      const winner = contenders[expectOneWinner(outcomes, 'conflict', 'invitations.update')]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.invitations.getById(inv.id), winner, 'the stored invitation is the winner');
      });
    }),

    defineCheck('concurrency', 'invitation-accept-race', ['INV-3'], 'units of work that read an invitation, and accept it if it is still pending, at the version read: of 20 concurrent ones exactly one accepts and the others see it accepted (getById locks the row)', async (store) => {
      const { f, org, people } = await seedAccessWorld(store, { people: 20 });
      const inv = f.invitation(org.id);
      await inTx(store, (tx) => insertInvitation(tx, inv));
      const outcomes = await race(20, (i) =>
        inTx(store, async (tx) => {
          const current = await tx.invitations.getById(inv.id);
          if (current?.status !== 'pending') return 'not-pending';
          const accepted: Invitation = { ...current, status: 'accepted', respondedAt: f.at(30), acceptedBy: people[i]!.user.id, version: current.version + 1 };
          return tx.invitations.update(accepted, current.version);
        }),
      );
      expectDeepEqual(tally(outcomes), { ok: 1, 'not-pending': 19 }, 'outcomes of concurrent read-then-accept units of work');
      const stored = await inTx(store, (tx) => tx.invitations.getById(inv.id));
      expectEqual(stored?.status, 'accepted', 'the status after the race');
      expectEqual(stored?.version, inv.version + 1, 'the version after the race');
    }),

    defineCheck('concurrency', 'api-key-update-race', ['SA-2'], "of 20 concurrent guarded updates of one API key from one version exactly one gets 'ok', the rest 'conflict'", async (store) => {
      const { f, org, bots } = await seedAccessWorld(store);
      const key = f.apiKey(asServiceAccount(bots[0]!.id), org.id);
      await inTx(store, (tx) => insertApiKey(tx, key));
      const contenders = Array.from({ length: 20 }, (_, i) => ({ ...key, revokedAt: f.at(30 + i), version: key.version + 1 }));
      const outcomes = await race(20, (i) => inTx(store, (tx) => tx.apiKeys.update(contenders[i]!, key.version)));
      const winner = contenders[expectOneWinner(outcomes, 'conflict', 'apiKeys.update')]!;
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.apiKeys.getById(key.id), winner, 'the stored key is the winner');
      });
    }),

    defineCheck('concurrency', 'seat-limit-guard', ['PLAN-2'], 'units of work that lock the account, count seats with the candidate and invite only within a limit never exceed the limit', async (store) => {
      const { f, org } = await seedAccessWorld(store, { people: 2, members: [[0, 'owner'], [1, 'member']] });
      const limit = 5;
      const now = f.at(60);
      const outcomes = await race(10, () =>
        inTx(store, async (tx) => {
          await tx.accounts.lock(org.id);
          const invitation = f.invitation(org.id);
          if ((await tx.seats.count(org.id, now, invitation.email)) > limit) return 'refused';
          await insertInvitation(tx, invitation);
          return 'invited';
        }),
      );
      expectDeepEqual(tally(outcomes), { invited: limit - 2, refused: 10 - (limit - 2) }, 'outcomes of concurrent guarded invitations');
      expectEqual(await inTx(store, (tx) => tx.seats.count(org.id, now)), limit, 'seats.count after the race');
    }),

    defineCheck('concurrency', 'audit-append-race', ['AUD-1'], 'concurrent appends get distinct sequences, and the log lists each event once in sequence order', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const appended = await race(20, () => inTx(store, (tx) => tx.audit.append(f.event(org.id))));
      const sequences = appended.map((e) => e.sequence);
      expectEqual(new Set(sequences).size, sequences.length, `sequences of concurrent appends must be distinct: ${show(sequences)}`);
      const page = await inTx(store, (tx) => tx.audit.list(org.id, {}, { limit: 500 }));
      const bySequence = (a: AuditEvent, b: AuditEvent) => a.sequence - b.sequence;
      expectOnlyPage(page, [...appended].sort(bySequence), 'audit.list after concurrent appends');
    }),

    defineCheck('concurrency', 'no-dirty-reads', ['STORE-2'], 'a concurrent unit of work never sees writes of one that has not committed (and then rolls back)', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const w = f.workspace(org.id);
      const boom = new Rollback();
      let wrote = false;
      const writer = inTx(store, async (tx) => {
        await insertWorkspace(tx, w);
        wrote = true;
        await sleep(50);
        throw boom;
      }).then(
        () => 'committed',
        (error: unknown) => error,
      );
      await sleep(10);
      const seen = await inTx(store, async (tx) => ({
        byId: await tx.workspaces.getById(w.id),
        byHandle: await tx.workspaces.getByHandle(org.id, w.handle),
        count: await tx.workspaces.countByAccount(org.id),
      }));
      expectEqual(await writer, boom, 'the writer must reject with its own error');
      expectTrue(wrote, 'the writer ran');
      expectDeepEqual(seen, { byId: null, byHandle: null, count: 0 }, 'what a concurrent unit of work saw of uncommitted writes');
    }),

    defineCheck('concurrency', 'concurrent-rollbacks', ['STORE-2'], 'of 20 concurrent units of work, exactly the ones that resolve are committed', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const ws = Array.from({ length: 20 }, () => f.workspace(org.id));
      const outcomes = await race(20, (i) =>
        inTx(store, async (tx) => {
          await insertWorkspace(tx, ws[i]!);
          await tx.resources.insertMany([f.resource(ws[i]!.id, 'flow')]);
          await tx.audit.append(f.event(org.id, { workspaceId: ws[i]!.id }));
          if (i % 2 === 1) throw new Rollback();
          return 'committed';
        }).catch((error: unknown) => {
          if (error instanceof Rollback) return 'rolled-back';
          throw error;
        }),
      );
      expectDeepEqual(tally(outcomes), { committed: 10, 'rolled-back': 10 }, 'outcomes');
      const kept = ws.filter((_, i) => i % 2 === 0).sort((a, b) => byCodeUnit(a.handle, b.handle));
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.workspaces.listByAccount(org.id, { limit: 500 }), kept, 'workspaces.listByAccount');
        const log = await tx.audit.list(org.id, {}, { limit: 500 });
        expectDeepEqual(
          log.items.map((e) => e.workspaceId).sort(),
          kept.map((w) => w.id).sort(),
          'audit.list holds the events of the committed units of work only',
        );
        for (const [i, w] of ws.entries()) {
          expectDeepEqual(await tx.resources.countByWorkspace(w.id), i % 2 === 0 ? { flow: 1 } : {}, `resources.countByWorkspace of workspace #${i}`);
        }
      });
    }),

    defineCheck('concurrency', 'independent-writes', ['STORE-2'], 'concurrent units of work on different accounts all commit', async (store) => {
      const f = new Fixtures();
      const setups = Array.from({ length: 20 }, () => {
        const person = f.personal();
        const org = f.organization();
        return { person, org, membership: f.membership(org.id, person.user.id, 'owner'), workspace: f.workspace(org.id) };
      });
      await race(setups.length, (i) =>
        inTx(store, async (tx) => {
          const s = setups[i]!;
          await insertPersonal(tx, s.person);
          await insertAccount(tx, s.org);
          await insertMembership(tx, s.membership);
          await insertWorkspace(tx, s.workspace);
          await tx.resources.insertMany([f.resource(s.workspace.id, 'deployment')]);
          await tx.audit.append(f.event(s.org.id));
        }),
      );
      await inTx(store, async (tx) => {
        for (const s of setups) {
          expectDeepEqual(await tx.memberships.listByUser(s.person.user.id), [s.membership], `memberships.listByUser(${s.person.user.id})`);
          expectDeepEqual(await tx.workspaces.getByHandle(s.org.id, s.workspace.handle), s.workspace, `workspaces.getByHandle(${s.workspace.handle})`);
          expectDeepEqual(await tx.resources.countByWorkspace(s.workspace.id), { deployment: 1 }, `resources.countByWorkspace(${s.workspace.id})`);
          expectEqual((await tx.audit.list(s.org.id, {}, { limit: 10 })).items.length, 1, `audit.list(${s.org.id})`);
        }
      });
    }),
  ];
}

import type { Timestamp } from '../../core/clock.js';
import type { AccountId } from '../../core/ids.js';
import { asServiceAccount, asUser } from '../../core/principal.js';
import type { Store } from '../../ports/store.js';
import { expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { inTx, insertGrant, insertInvitation, insertMembership, seedAccessWorld, type AccessWorld } from './fixtures.js';

function seats(store: Store, accountId: AccountId, now: Timestamp, candidateEmail?: string): Promise<number> {
  return inTx(store, (tx) => (candidateEmail === undefined ? tx.seats.count(accountId, now) : tx.seats.count(accountId, now, candidateEmail)));
}

/**
 * An organization whose seat holders overlap: people 0 and 1 are members, 0 and 2 hold grants,
 * 1 has a pending invitation, and `invitee` (no user) has one too: 4 seats. A service account's
 * grant, and the other account's member, grant and invitation hold no seat of `org`.
 */
async function overlappingSeats(store: Store): Promise<AccessWorld & { readonly invitee: string; readonly now: Timestamp }> {
  const w = await seedAccessWorld(store, { people: 5, members: [[0, 'owner'], [1, 'member']] });
  const { f, org, other, people, bots, ws, otherWs } = w;
  const invitee = f.email();
  await inTx(store, async (tx) => {
    await insertGrant(tx, f.grant(ws[0]!, asUser(people[0]!.user.id)));
    await insertGrant(tx, f.grant(ws[1]!, asUser(people[0]!.user.id)));
    await insertGrant(tx, f.grant(ws[0]!, asUser(people[2]!.user.id), 'viewer'));
    await insertGrant(tx, f.grant(ws[0]!, asServiceAccount(bots[0]!.id), 'runner'));
    await insertInvitation(tx, f.workspaceInvitation(ws[1]!, 'developer', { email: people[1]!.user.email }));
    await insertInvitation(tx, f.invitation(org.id, { email: invitee }));
    await insertInvitation(tx, f.workspaceInvitation(ws[2]!, 'viewer', { email: invitee }));
    await insertMembership(tx, f.membership(other.id, people[3]!.user.id, 'owner'));
    await insertGrant(tx, f.grant(otherWs[0]!, asUser(people[4]!.user.id)));
    await insertGrant(tx, f.grant(otherWs[0]!, asUser(people[2]!.user.id)));
    await insertInvitation(tx, f.invitation(other.id, { email: f.email() }));
  });
  return { ...w, invitee, now: f.at(60) };
}

/** The `seats` suite: seat counting (PLAN-2). */
export function seatsChecks(): ConformanceCheck[] {
  return [
    defineCheck('seats', 'distinct-emails', ['PLAN-2'], "count is the number of distinct emails among the account's members, user grantees and pending invitations", async (store) => {
      const { org, other, now } = await overlappingSeats(store);
      expectEqual(await seats(store, org.id, now), 4, 'seats.count of an account whose seat holders overlap');
      expectEqual(await seats(store, other.id, now), 4, 'seats.count of the other account');
      const empty = await seedAccessWorld(store, { people: 0, bots: 0, workspaces: 0, otherWorkspaces: 0 });
      expectEqual(await seats(store, empty.org.id, now), 0, 'seats.count of an account without seat holders');
    }),

    defineCheck('seats', 'pending-unexpired-invitations-only', ['PLAN-2', 'INV-1'], 'only invitations pending and unexpired at `now` hold a seat (expiresAt > now); answered ones do not', async (store) => {
      const { f, org, ws } = await seedAccessWorld(store, { people: 0 });
      const now = f.at(60 * 24);
      const twice = f.email();
      await inTx(store, async (tx) => {
        await insertInvitation(tx, f.invitation(org.id, { email: twice, expiresAt: f.at(60 * 24 + 1) }));
        await insertInvitation(tx, f.workspaceInvitation(ws[0]!, 'viewer', { email: twice }));
        await insertInvitation(tx, f.invitation(org.id, { expiresAt: now }));
        await insertInvitation(tx, f.invitation(org.id, { expiresAt: f.at(60) }));
        await insertInvitation(tx, f.invitation(org.id, { status: 'accepted', respondedAt: f.at(30) }));
        await insertInvitation(tx, f.invitation(org.id, { status: 'revoked', respondedAt: f.at(30) }));
        await insertInvitation(tx, f.workspaceInvitation(ws[1]!, 'viewer', { status: 'rejected', respondedAt: f.at(30) }));
      });
      expectEqual(await seats(store, org.id, now), 1, 'seats.count with one email invited twice and other invitations expired or answered');
      expectEqual(await seats(store, org.id, f.at(59)), 3, 'seats.count before the expired ones expired');
      expectEqual(await seats(store, org.id, f.at(60 * 24 * 30)), 0, 'seats.count after every invitation expired');
    }),

    defineCheck('seats', 'candidate-email', ['PLAN-2'], 'with candidateEmail, count counts that email as a seat holder too, once', async (store) => {
      const { f, org, people, invitee, now } = await overlappingSeats(store);
      expectEqual(await seats(store, org.id, now, f.email('newcomer')), 5, 'seats.count with a new email');
      expectEqual(await seats(store, org.id, now, people[1]!.user.email), 4, 'seats.count with the email of a member');
      expectEqual(await seats(store, org.id, now, people[2]!.user.email), 4, 'seats.count with the email of a user holding a grant');
      expectEqual(await seats(store, org.id, now, invitee), 4, 'seats.count with the email of a pending invitation');
      expectEqual(await seats(store, org.id, now, people[3]!.user.email), 5, "seats.count with the email of another account's member");
      const empty = await seedAccessWorld(store, { people: 0, bots: 0, workspaces: 0, otherWorkspaces: 0 });
      expectEqual(await seats(store, empty.org.id, now, f.email('first')), 1, 'seats.count of an empty account with a candidate');
    }),

    defineCheck('seats', 'follows-writes', ['PLAN-2', 'COL-2'], 'count follows deleted grants and memberships, and answered invitations', async (store) => {
      const { f, org, people, ws, now } = await overlappingSeats(store);
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.delete(ws[0]!.id, asUser(people[2]!.user.id)), 'ok', 'grants.delete');
      });
      expectEqual(await seats(store, org.id, now), 3, 'seats.count after removing the only grant of a non-member');
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.deleteByGrantee(org.id, asUser(people[0]!.user.id)), 2, 'grants.deleteByGrantee');
      });
      expectEqual(await seats(store, org.id, now), 3, 'seats.count after removing the grants of a member');
      await inTx(store, async (tx) => {
        expectEqual(await tx.memberships.delete(org.id, people[1]!.user.id), 'ok', 'memberships.delete');
      });
      expectEqual(await seats(store, org.id, now), 3, 'seats.count after removing a member who still has a pending invitation');
      const page = await inTx(store, (tx) => tx.invitations.listByAccount(org.id, { status: 'pending' }, { limit: 10 }));
      await inTx(store, async (tx) => {
        for (const i of page.items) {
          expectEqual(await tx.invitations.update({ ...i, status: 'revoked', respondedAt: f.at(61), version: i.version + 1 }, i.version), 'ok', 'invitations.update to revoked');
        }
      });
      expectEqual(await seats(store, org.id, now), 1, 'seats.count after every invitation was revoked');
    }),
  ];
}

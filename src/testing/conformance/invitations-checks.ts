import type { AccountId, InvitationId, WorkspaceId } from '../../core/ids.js';
import { asUser } from '../../core/principal.js';
import type { InvitationFilter } from '../../ports/access-repositories.js';
import type { Store, UnitOfWork } from '../../ports/store.js';
import type { WorkspaceRoleRef } from '../../role/custom-role.js';
import type { Invitation } from '../../workspace/invitation.js';
import { byCodeUnit, expectDeepEqual, expectEqual, expectRejectsWith } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { inTx, insertInvitation, seedAccessWorld } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

async function seedInvitations(store: Store, invitations: readonly Invitation[]): Promise<void> {
  await inTx(store, async (tx) => {
    for (const i of invitations) await insertInvitation(tx, i);
  });
}

/** The invitation after a guarded update: `changes` applied, version + 1. */
function next(invitation: Invitation, changes: Partial<Invitation>): Invitation {
  return { ...invitation, ...changes, version: invitation.version + 1 };
}

/** The pending slot a getPendingFor call asks about: account, workspace (`null`: the account) and email. */
type Slot = readonly [accountId: AccountId, workspaceId: WorkspaceId | null, email: string];

/** The slot `invitation` holds while pending. */
function slotOf(invitation: Invitation): Slot {
  return [invitation.accountId, invitation.target.type === 'workspace' ? invitation.target.workspaceId : null, invitation.email];
}

/** Expects `getPendingFor` of each slot to return the invitation listed with it (`null`: none). */
async function expectPendingFor(tx: UnitOfWork, expected: readonly (readonly [Slot, Invitation | null])[], what: string): Promise<void> {
  for (const [[accountId, workspaceId, email], invitation] of expected) {
    expectDeepEqual(await tx.invitations.getPendingFor(accountId, workspaceId, email), invitation, `${what}: invitations.getPendingFor(${accountId}, ${String(workspaceId)}, ${JSON.stringify(email)})`);
  }
}

/** What `listByAccount(accountId, filter)` holds, computed from the records. */
function matching(invitations: readonly Invitation[], filter: InvitationFilter): Invitation[] {
  return invitations
    .filter(
      (i) =>
        (filter.workspaceId === undefined || (i.target.type === 'workspace' && i.target.workspaceId === filter.workspaceId)) &&
        (filter.status === undefined || i.status === filter.status),
    )
    .sort((a, b) => byCodeUnit(a.id, b.id));
}

/** The `invitations` suite: invitations to accounts and workspaces (INV-1, INV-2, INV-3, COL-1). */
export function invitationsChecks(): ConformanceCheck[] {
  return [
    defineCheck('invitations', 'insert-and-get', ['INV-1', 'INV-2'], 'insert stores account and workspace invitations, pending or answered, that getById returns unchanged', async (store) => {
      const { f, org, people, ws, role } = await seedAccessWorld(store);
      const invitations = [
        f.invitation(org.id),
        f.invitation(org.id, { target: { type: 'account', role: 'admin' }, invitedBy: asUser(people[0]!.user.id) }),
        f.workspaceInvitation(ws[0]!, role.id, { invitedBy: { type: 'system', name: 'signup “flow” ✓' } }),
        f.workspaceInvitation(ws[1]!, 'viewer', {
          status: 'accepted',
          respondedAt: f.at(30),
          acceptedBy: people[1]!.user.id,
          version: 2,
          expiresAt: f.at(20),
        }),
        f.invitation(org.id, { status: 'revoked', respondedAt: f.at(31), version: 3 }),
      ];
      await seedInvitations(store, invitations);
      await inTx(store, async (tx) => {
        for (const i of invitations) expectDeepEqual(await tx.invitations.getById(i.id), i, `invitations.getById(${i.id})`);
        expectEqual(await tx.invitations.getById(f.id<InvitationId>('inv')), null, 'invitations.getById of an unknown id');
      });
    }),

    defineCheck('invitations', 'one-pending-per-target', ['INV-1'], "a second pending invitation for one (account, target, email) gets 'exists', whatever its role or expiry; answered invitations neither block nor are blocked", async (store) => {
      const { f, org, other, ws } = await seedAccessWorld(store);
      const email = f.email();
      const first = f.invitation(org.id, { email });
      const toWorkspace = f.workspaceInvitation(ws[0]!, 'developer', { email });
      // A pending invitation past its expiry is still stored as pending: it keeps its slot.
      const expired = f.invitation(org.id, { expiresAt: f.at(7) });
      await seedInvitations(store, [first, toWorkspace, expired]);
      const refused = [
        f.invitation(org.id, { email, target: { type: 'account', role: 'admin' } }),
        f.workspaceInvitation(ws[0]!, 'viewer', { email }),
        f.invitation(org.id, { email: expired.email }),
      ];
      const accepted = [
        f.workspaceInvitation(ws[1]!, 'developer', { email }),
        f.invitation(other.id, { email }),
        f.invitation(org.id),
        f.invitation(org.id, { email, status: 'revoked', respondedAt: f.at(8) }),
        f.invitation(org.id, { email, status: 'revoked', respondedAt: f.at(9) }),
        f.invitation(org.id, { email, status: 'rejected', respondedAt: f.at(9) }),
        f.workspaceInvitation(ws[0]!, 'developer', { email, status: 'accepted', respondedAt: f.at(9) }),
      ];
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.insert(refused[0]!), 'exists', 'invitations.insert of a second pending account invitation with another role');
        expectEqual(await tx.invitations.insert(refused[1]!), 'exists', 'invitations.insert of a second pending invitation to one workspace');
        expectEqual(await tx.invitations.insert(refused[2]!), 'exists', 'invitations.insert while a pending invitation past its expiry holds the slot');
        expectEqual(await tx.invitations.insert(accepted[0]!), 'ok', 'invitations.insert of the email to another workspace');
        expectEqual(await tx.invitations.insert(accepted[1]!), 'ok', 'invitations.insert of the email to another account');
        expectEqual(await tx.invitations.insert(accepted[2]!), 'ok', 'invitations.insert of another email');
        expectEqual(await tx.invitations.insert(accepted[3]!), 'ok', 'invitations.insert of a revoked invitation beside a pending one');
        expectEqual(await tx.invitations.insert(accepted[4]!), 'ok', 'invitations.insert of a second revoked invitation');
        expectEqual(await tx.invitations.insert(accepted[5]!), 'ok', 'invitations.insert of a rejected invitation');
        expectEqual(await tx.invitations.insert(accepted[6]!), 'ok', 'invitations.insert of an accepted invitation beside a pending one');
      });
      await inTx(store, async (tx) => {
        for (const i of refused) expectEqual(await tx.invitations.getById(i.id), null, `invitations.getById of the refused ${i.id}`);
        for (const i of [first, toWorkspace, expired, ...accepted]) expectDeepEqual(await tx.invitations.getById(i.id), i, `invitations.getById(${i.id})`);
      });
    }),

    defineCheck('invitations', 'get-pending-for', ['INV-1'], 'getPendingFor returns the pending invitation of (account, target, email), expired or not, for account and workspace targets; null for an answered, retired (stored expired), deleted or absent one, another email, target or account, and an email differing only in case or spaces', async (store) => {
      const { f, org, other, people, ws, otherWs } = await seedAccessWorld(store);
      const email = f.email();
      const toOrg = f.invitation(org.id, { email, target: { type: 'account', role: 'admin' } });
      const toWs0 = f.workspaceInvitation(ws[0]!, 'developer', { email });
      // Past its expiry but still stored as pending: it holds the slot.
      const expired = f.workspaceInvitation(ws[1]!, 'viewer', { email, expiresAt: f.at(7) });
      const revoked = f.workspaceInvitation(ws[2]!, 'developer', { email, status: 'revoked', respondedAt: f.at(8) });
      const retired = f.workspaceInvitation(ws[2]!, 'viewer', { email, status: 'expired', expiresAt: f.at(7), respondedAt: f.at(9) });
      const toOther = f.workspaceInvitation(otherWs[0]!, 'developer', { email });
      const anotherEmail = f.invitation(org.id);
      await seedInvitations(store, [toOrg, toWs0, expired, revoked, retired, toOther, anotherEmail]);
      const before: [Slot, Invitation | null][] = [
        [slotOf(toOrg), toOrg],
        [slotOf(toWs0), toWs0],
        [slotOf(expired), expired],
        [slotOf(toOther), toOther],
        [slotOf(anotherEmail), anotherEmail],
        // Only a revoked and a retired (stored `expired`) invitation for the slot.
        [[org.id, ws[2]!.id, email], null],
        // Another account: no pending account invitation there; its workspace is not the org's.
        [[other.id, null, email], null],
        [[org.id, otherWs[0]!.id, email], null],
        [[other.id, ws[0]!.id, email], null],
        // Other emails: a fresh one, and the email differing in case or spaces (stored normalized, matched exactly).
        [[org.id, null, f.email()], null],
        [[org.id, ws[0]!.id, anotherEmail.email], null],
        [[org.id, null, email.toUpperCase()], null],
        [[org.id, ws[0]!.id, ` ${email}`], null],
        [[org.id, f.id<WorkspaceId>('ws'), email], null],
      ];
      await inTx(store, (tx) => expectPendingFor(tx, before, 'seeded'));
      await store.transaction((tx) => expectPendingFor(tx, before, 'in a read-only unit of work'), { readOnly: true });

      // Leaving pending frees the slot; a new pending invitation then holds it.
      const accepted = next(toWs0, { status: 'accepted', respondedAt: f.at(20), acceptedBy: people[0]!.user.id });
      const rejected = next(toOrg, { status: 'rejected', respondedAt: f.at(21) });
      const again = f.workspaceInvitation(ws[0]!, 'runner', { email });
      // Retiring the expired invitation (stored `expired`) frees its slot like any answer.
      const retiredNow = next(expired, { status: 'expired', respondedAt: f.at(22) });
      const renewed = f.workspaceInvitation(ws[1]!, 'viewer', { email, createdAt: f.at(22), expiresAt: f.at(22 + 60 * 24 * 7) });
      const after: [Slot, Invitation | null][] = [
        [slotOf(toOrg), null],
        [slotOf(toWs0), again],
        [slotOf(expired), null],
        [slotOf(toOther), toOther],
        [slotOf(anotherEmail), anotherEmail],
      ];
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.update(accepted, toWs0.version), 'ok', 'invitations.update to accepted');
        expectEqual(await tx.invitations.getPendingFor(...slotOf(toWs0)), null, 'invitations.getPendingFor of the slot of the invitation just accepted, in the same unit of work');
        expectEqual(await tx.invitations.insert(again), 'ok', 'invitations.insert into the freed slot');
        expectEqual(await tx.invitations.update(rejected, toOrg.version), 'ok', 'invitations.update to rejected');
        expectEqual(await tx.invitations.update(retiredNow, expired.version), 'ok', "invitations.update of the expired invitation to the stored status 'expired'");
        expectEqual(await tx.invitations.getPendingFor(...slotOf(expired)), null, 'invitations.getPendingFor of the slot of the invitation just retired, in the same unit of work');
        expectEqual(await tx.invitations.insert(renewed), 'ok', 'invitations.insert into the slot freed by retiring');
        expectDeepEqual(await tx.invitations.getPendingFor(...slotOf(expired)), renewed, 'invitations.getPendingFor of the renewed slot, in the same unit of work');
        expectEqual(await tx.invitations.deleteByWorkspace(ws[1]!.id), 2, 'invitations.deleteByWorkspace of the workspace of the renewed invitation');
        await expectPendingFor(tx, after, 'after the writes, in the same unit of work');
      });
      await inTx(store, (tx) => expectPendingFor(tx, after, 'after the writes committed'));
    }),

    defineCheck('invitations', 'get-pending-for-rollback', ['INV-1', 'STORE-2'], 'getPendingFor reads the writes of its own unit of work; once that unit of work rolls back it finds every slot as before, and the rows it read are free to update', async (store) => {
      const { f, org, ws } = await seedAccessWorld(store);
      const email = f.email();
      const toOrg = f.invitation(org.id, { email });
      const toWs0 = f.workspaceInvitation(ws[0]!, 'developer', { email });
      await seedInvitations(store, [toOrg, toWs0]);
      const seeded: [Slot, Invitation | null][] = [
        [slotOf(toOrg), toOrg],
        [slotOf(toWs0), toWs0],
        [[org.id, ws[1]!.id, email], null],
      ];
      const replacement = f.invitation(org.id, { email, target: { type: 'account', role: 'admin' } });
      const toWs1 = f.workspaceInvitation(ws[1]!, 'viewer', { email });
      const boom = new Error('conformance: roll back the invitation writes');
      await expectRejectsWith(
        store.transaction(async (tx) => {
          await expectPendingFor(tx, seeded, 'before the writes that roll back');
          expectEqual(await tx.invitations.update(next(toOrg, { status: 'revoked', respondedAt: f.at(20) }), toOrg.version), 'ok', 'invitations.update to revoked, rolled back');
          expectEqual(await tx.invitations.insert(replacement), 'ok', 'invitations.insert into the freed slot, rolled back');
          expectEqual(await tx.invitations.deleteByWorkspace(ws[0]!.id), 1, 'invitations.deleteByWorkspace, rolled back');
          expectEqual(await tx.invitations.insert(toWs1), 'ok', 'invitations.insert to another workspace, rolled back');
          await expectPendingFor(
            tx,
            [
              [slotOf(toOrg), replacement],
              [slotOf(toWs0), null],
              [slotOf(toWs1), toWs1],
            ],
            'inside the unit of work that rolls back',
          );
          throw boom;
        }),
        boom,
        'a unit of work that writes invitations and throws',
      );
      await inTx(store, (tx) => expectPendingFor(tx, seeded, 'after the rollback'));
      // A unit of work that only read the slots, then rolled back, holds nothing afterwards.
      const readOnly = new Error('conformance: roll back after reading');
      await expectRejectsWith(
        store.transaction(async (tx) => {
          await expectPendingFor(tx, seeded, 'in a unit of work that only reads, then rolls back');
          throw readOnly;
        }),
        readOnly,
        'a unit of work that reads the slots and throws',
      );
      const revoked = next(toOrg, { status: 'revoked', respondedAt: f.at(22) });
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.update(revoked, toOrg.version), 'ok', 'invitations.update after the rolled-back units of work');
        expectEqual(await tx.invitations.getPendingFor(...slotOf(toOrg)), null, 'invitations.getPendingFor after the slot was freed');
      });
      await inTx(store, (tx) => expectPendingFor(tx, [[slotOf(toOrg), null], [slotOf(toWs0), toWs0], [slotOf(toWs1), null]], 'after the committed update'));
    }),

    defineCheck('invitations', 'update-guarded-by-version', ['INV-2', 'INV-3'], "update applies only at the expected version: stale, ahead or unknown gets 'conflict', the right version 'ok'", async (store) => {
      const { f, org } = await seedAccessWorld(store);
      const inv = f.invitation(org.id);
      await seedInvitations(store, [inv]);
      // A resend: new token and expiry (INV-2).
      const resent = next(inv, { tokenHash: 'f'.repeat(64), expiresAt: f.at(60 * 24 * 10), createdAt: f.at(60 * 24 * 3) });
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.update(resent, inv.version + 1), 'conflict', 'invitations.update with a version ahead of the stored one');
        expectEqual(await tx.invitations.update(resent, inv.version - 1), 'conflict', 'invitations.update with a stale version');
        const ghost = f.invitation(org.id);
        expectEqual(await tx.invitations.update(next(ghost, {}), ghost.version), 'conflict', 'invitations.update of an unknown invitation');
        expectEqual(await tx.invitations.getById(ghost.id), null, 'invitations.update of an unknown invitation must not create it');
        expectDeepEqual(await tx.invitations.getById(inv.id), inv, 'the invitation after refused updates');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.update(resent, inv.version), 'ok', 'invitations.update at the stored version');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.invitations.getById(inv.id), resent, 'the invitation after the update');
        expectEqual(await tx.invitations.update(next(resent, { status: 'revoked' }), inv.version), 'conflict', 'invitations.update with the version read before the last update');
        expectDeepEqual(await tx.invitations.getById(inv.id), resent, 'the invitation after a stale update');
      });
    }),

    defineCheck('invitations', 'update-frees-pending-slot', ['INV-1', 'INV-3'], 'an update out of pending frees the slot for a new pending invitation, and listByAccount follows status changes', async (store) => {
      const { f, org, people, ws } = await seedAccessWorld(store);
      const email = f.email();
      const first = f.workspaceInvitation(ws[0]!, 'developer', { email });
      await seedInvitations(store, [first]);
      const revoked = next(first, { status: 'revoked', respondedAt: f.at(20) });
      const second = f.workspaceInvitation(ws[0]!, 'viewer', { email });
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.update(revoked, first.version), 'ok', 'invitations.update to revoked');
        expectEqual(await tx.invitations.insert(second), 'ok', 'invitations.insert of a pending invitation after the previous one was revoked');
      });
      const accepted = next(second, { status: 'accepted', respondedAt: f.at(21), acceptedBy: people[0]!.user.id });
      const third = f.workspaceInvitation(ws[0]!, 'runner', { email });
      await inTx(store, async (tx) => {
        // An answered invitation can still be updated while another one is pending for its slot.
        expectEqual(await tx.invitations.update(accepted, second.version), 'ok', 'invitations.update to accepted');
        expectEqual(await tx.invitations.insert(third), 'ok', 'invitations.insert after the previous one was accepted');
        expectEqual(await tx.invitations.update(next(revoked, { respondedAt: f.at(22) }), revoked.version), 'ok', 'invitations.update of a revoked invitation while another is pending');
      });
      const list = (status: Invitation['status']) =>
        inTx(store, (tx) => tx.invitations.listByAccount(org.id, { status }, { limit: 10 }));
      expectOnlyPage(await list('pending'), [third], "invitations.listByAccount({ status: 'pending' })");
      expectOnlyPage(await list('accepted'), [accepted], "invitations.listByAccount({ status: 'accepted' })");
      expectOnlyPage(await list('revoked'), [next(revoked, { respondedAt: f.at(22) })], "invitations.listByAccount({ status: 'revoked' })");
    }),

    defineCheck('invitations', 'list-by-account-paging', ['INV-1'], 'listByAccount pages visit every invitation matching the filter exactly once in id order, for several page sizes and filters', async (store) => {
      const { f, org, other, ws, otherWs } = await seedAccessWorld(store);
      const answered = (status: 'accepted' | 'rejected' | 'revoked') => ({ status, respondedAt: f.at(20) });
      const invitations = [
        f.invitation(org.id),
        f.workspaceInvitation(ws[0]!),
        f.workspaceInvitation(ws[0]!, 'viewer', answered('revoked')),
        f.workspaceInvitation(ws[1]!),
        f.invitation(org.id, answered('accepted')),
        f.workspaceInvitation(ws[0]!, 'runner'),
        f.invitation(org.id, { target: { type: 'account', role: 'admin' } }),
        f.workspaceInvitation(ws[0]!, 'developer', answered('rejected')),
        f.workspaceInvitation(ws[0]!, 'owner'),
      ];
      const noise = [f.invitation(other.id), f.workspaceInvitation(otherWs[0]!)];
      // Inserted out of order: the adapter must sort.
      const order = [5, 0, 8, 2, 7, 1, 4, 3, 6];
      await seedInvitations(store, [noise[0]!, ...order.map((i) => invitations[i]!), noise[1]!]);
      const filters: InvitationFilter[] = [
        {},
        { workspaceId: ws[0]!.id },
        { status: 'pending' },
        { workspaceId: ws[0]!.id, status: 'pending' },
        { status: 'revoked' },
        { workspaceId: ws[1]!.id, status: 'accepted' },
        { workspaceId: ws[2]!.id },
      ];
      for (const filter of filters) {
        const expected = matching(invitations, filter).map((i) => i.id);
        for (const limit of pageSizesFor(expected.length)) {
          await expectPages(
            `invitations.listByAccount(${JSON.stringify(filter)})`,
            limit,
            (page) => inTx(store, (tx) => tx.invitations.listByAccount(org.id, filter, page)),
            (i) => i.id,
            expected,
          );
        }
      }
      await inTx(store, async (tx) => {
        const first = await tx.invitations.listByAccount(org.id, {}, { limit: 3 });
        expectDeepEqual(first.items, invitations.slice(0, 3), 'invitations listed by invitations.listByAccount are the stored records');
        expectOnlyPage(await tx.invitations.listByAccount(other.id, {}, { limit: 10 }), noise, 'invitations.listByAccount of another account');
        expectOnlyPage(await tx.invitations.listByAccount(org.id, { workspaceId: otherWs[0]!.id }, { limit: 10 }), [], "invitations.listByAccount filtered by another account's workspace");
      });
    }),

    defineCheck('invitations', 'delete-by-workspace', ['WS-4'], 'deleteByWorkspace removes every invitation to the workspace, returns how many, frees their pending slots and leaves other invitations alone', async (store) => {
      const { f, org, ws } = await seedAccessWorld(store);
      const email = f.email();
      const doomed = [
        f.workspaceInvitation(ws[0]!, 'developer', { email }),
        f.workspaceInvitation(ws[0]!, 'viewer', { status: 'revoked', respondedAt: f.at(20) }),
        f.workspaceInvitation(ws[0]!, 'viewer', { status: 'accepted', respondedAt: f.at(20) }),
      ];
      const kept = [f.invitation(org.id, { email }), f.workspaceInvitation(ws[1]!, 'developer', { email })];
      await seedInvitations(store, [...doomed, ...kept]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.deleteByWorkspace(ws[0]!.id), 3, 'invitations.deleteByWorkspace returns how many invitations it deleted');
      });
      await inTx(store, async (tx) => {
        for (const i of doomed) expectEqual(await tx.invitations.getById(i.id), null, `invitations.getById(${i.id}) after deleteByWorkspace`);
        for (const i of kept) expectDeepEqual(await tx.invitations.getById(i.id), i, `invitations.getById(${i.id}) of another target`);
        expectOnlyPage(await tx.invitations.listByAccount(org.id, {}, { limit: 10 }), kept, 'invitations.listByAccount after deleteByWorkspace');
        expectOnlyPage(await tx.invitations.listByAccount(org.id, { workspaceId: ws[0]!.id }, { limit: 10 }), [], 'invitations.listByAccount of the workspace after deleteByWorkspace');
        expectEqual(await tx.invitations.deleteByWorkspace(ws[0]!.id), 0, 'invitations.deleteByWorkspace of a workspace without invitations');
        expectEqual(await tx.invitations.insert(f.workspaceInvitation(ws[0]!, 'developer', { email })), 'ok', 'invitations.insert into the slot freed by deleteByWorkspace');
      });
    }),

    defineCheck('invitations', 'count-pending-by-role', ['ROLE-2'], "countPendingByRole counts an account's pending workspace invitations offering a role, and nothing else", async (store) => {
      const { f, org, other, ws, otherWs, role } = await seedAccessWorld(store);
      const a = f.workspaceInvitation(ws[0]!, 'developer');
      await seedInvitations(store, [
        a,
        f.workspaceInvitation(ws[1]!, 'developer'),
        f.workspaceInvitation(ws[2]!, role.id),
        f.workspaceInvitation(ws[0]!, 'developer', { status: 'revoked', respondedAt: f.at(20) }),
        f.workspaceInvitation(ws[1]!, role.id, { status: 'accepted', respondedAt: f.at(20) }),
        // An account invitation offers an account role, not a workspace role (owner is both).
        f.invitation(org.id, { target: { type: 'account', role: 'owner' } }),
        f.workspaceInvitation(otherWs[0]!, 'developer'),
      ]);
      const count = (accountId: AccountId, r: WorkspaceRoleRef) => inTx(store, (tx) => tx.invitations.countPendingByRole(accountId, r));
      expectEqual(await count(org.id, 'developer'), 2, 'invitations.countPendingByRole(developer)');
      expectEqual(await count(org.id, role.id), 1, 'invitations.countPendingByRole(custom role)');
      expectEqual(await count(org.id, 'owner'), 0, 'invitations.countPendingByRole(owner) with a pending account invitation as owner');
      expectEqual(await count(org.id, 'viewer'), 0, 'invitations.countPendingByRole of a role nobody is invited with');
      expectEqual(await count(other.id, 'developer'), 1, 'invitations.countPendingByRole of another account');
      await inTx(store, async (tx) => {
        expectEqual(await tx.invitations.update(next(a, { status: 'accepted', respondedAt: f.at(30) }), a.version), 'ok', 'invitations.update to accepted');
      });
      expectEqual(await count(org.id, 'developer'), 1, 'invitations.countPendingByRole(developer) after one was accepted');
    }),
  ];
}

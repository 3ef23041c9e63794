import type { WorkspaceId } from '../../core/ids.js';
import { asServiceAccount, asUser, granteeId, type Grantee } from '../../core/principal.js';
import type { Store } from '../../ports/store.js';
import type { WorkspaceRoleRef } from '../../role/custom-role.js';
import type { WorkspaceGrant } from '../../workspace/grant.js';
import { byCodeUnit, expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { inTx, insertGrant, seedAccessWorld } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

/** The cursor key of a grant listing: `'<type>:<id>'` of its grantee. */
export const grantKey = (g: WorkspaceGrant): string => `${g.grantee.type}:${granteeId(g.grantee)}`;

/** Grants in a canonical order (workspace, then grantee), to compare unordered results. */
const canonical = (grants: readonly WorkspaceGrant[]): WorkspaceGrant[] =>
  [...grants].sort((a, b) => byCodeUnit(a.workspaceId, b.workspaceId) || byCodeUnit(grantKey(a), grantKey(b)));

async function seedGrants(store: Store, grants: readonly WorkspaceGrant[]): Promise<void> {
  await inTx(store, async (tx) => {
    for (const g of grants) await insertGrant(tx, g);
  });
}

/** Expects `countByRole` of each listed role in `accountId`. */
async function expectRoleCounts(store: Store, accountId: WorkspaceGrant['accountId'], expected: readonly (readonly [WorkspaceRoleRef, number])[], what: string): Promise<void> {
  await inTx(store, async (tx) => {
    for (const [role, n] of expected) expectEqual(await tx.grants.countByRole(accountId, role), n, `${what}: grants.countByRole(${role})`);
  });
}

/** The `grants` suite: workspace grants of users and service accounts (SHR-1, COL-1, COL-2, ROLE-2). */
export function grantsChecks(): ConformanceCheck[] {
  return [
    defineCheck('grants', 'insert-and-get', ['SHR-1', 'COL-1'], 'insert stores grants of users and service accounts that get returns unchanged; the grantee type is part of the key', async (store) => {
      const { f, people, bots, ws, role } = await seedAccessWorld(store);
      const [alice, bob] = [people[0]!, people[1]!];
      const grants = [
        f.grant(ws[0]!, asUser(alice.user.id), role.id),
        f.grant(ws[0]!, asServiceAccount(bots[0]!.id), 'runner'),
        f.grant(ws[1]!, asUser(alice.user.id), 'owner', { updatedAt: f.at(40) }),
      ];
      await seedGrants(store, grants);
      await inTx(store, async (tx) => {
        for (const g of grants) expectDeepEqual(await tx.grants.get(g.workspaceId, g.grantee), g, `grants.get(${g.workspaceId}, ${grantKey(g)})`);
        expectEqual(await tx.grants.get(ws[2]!.id, asUser(alice.user.id)), null, 'grants.get in a workspace without grants');
        expectEqual(await tx.grants.get(ws[0]!.id, asUser(bob.user.id)), null, 'grants.get of a user without a grant');
        expectEqual(await tx.grants.get(ws[0]!.id, asServiceAccount(alice.user.id)), null, "grants.get of a service account with a user's id");
        expectEqual(await tx.grants.get(ws[0]!.id, asUser(bots[0]!.id)), null, "grants.get of a user with a service account's id");
        expectEqual(await tx.grants.get(f.id<WorkspaceId>('ws'), asUser(alice.user.id)), null, 'grants.get in an unknown workspace');
      });
    }),

    defineCheck('grants', 'duplicate-exists', ['SHR-1'], "a second grant to one grantee on one workspace gets 'exists' and the first stays unchanged", async (store) => {
      const { f, org, people, bots, ws } = await seedAccessWorld(store);
      const alice = asUser(people[0]!.user.id);
      const first = f.grant(ws[0]!, alice, 'developer');
      await seedGrants(store, [first]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.insert(f.grant(ws[0]!, alice, 'viewer', { createdAt: f.at(99) })), 'exists', 'grants.insert of an existing (workspace, grantee)');
        expectEqual(await tx.grants.insert(f.grant(ws[1]!, alice, 'viewer')), 'ok', 'grants.insert of the same grantee on another workspace');
        expectEqual(await tx.grants.insert(f.grant(ws[0]!, asServiceAccount(bots[0]!.id), 'viewer')), 'ok', 'grants.insert of another grantee on the same workspace');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.grants.get(ws[0]!.id, alice), first, 'the grant after the refused insert');
      });
      await expectRoleCounts(store, org.id, [['developer', 1], ['viewer', 2]], 'after the refused insert');
    }),

    defineCheck('grants', 'list-by-workspace-paging', ['SHR-1'], 'listByWorkspace pages visit every grant of the workspace exactly once, users before service accounts, each by id, for several page sizes', async (store) => {
      const { f, people, bots, ws, otherWs } = await seedAccessWorld(store, { people: 5, bots: 3 });
      const users = people.map((p) => f.grant(ws[0]!, asUser(p.user.id), 'developer'));
      const robots = bots.map((b) => f.grant(ws[0]!, asServiceAccount(b.id), 'runner'));
      const noise = [f.grant(ws[1]!, asUser(people[0]!.user.id)), f.grant(otherWs[0]!, asUser(people[2]!.user.id))];
      // Inserted out of order, service accounts first: the adapter must sort.
      await seedGrants(store, [robots[2]!, users[3]!, noise[0]!, robots[0]!, users[0]!, users[4]!, robots[1]!, noise[1]!, users[2]!, users[1]!]);
      const expected = [...users, ...robots].map(grantKey);
      for (const limit of pageSizesFor(expected.length)) {
        await expectPages('grants.listByWorkspace', limit, (page) => inTx(store, (tx) => tx.grants.listByWorkspace(ws[0]!.id, page)), grantKey, expected);
      }
      await inTx(store, async (tx) => {
        const first = await tx.grants.listByWorkspace(ws[0]!.id, { limit: 6 });
        expectDeepEqual(first.items, [...users, robots[0]!], 'grants listed by grants.listByWorkspace are the stored records');
        expectOnlyPage(await tx.grants.listByWorkspace(ws[2]!.id, { limit: 10 }), [], 'grants.listByWorkspace of a workspace without grants');
        expectOnlyPage(await tx.grants.listByWorkspace(ws[1]!.id, { limit: 10 }), [noise[0]!], 'grants.listByWorkspace of another workspace');
      });
    }),

    defineCheck('grants', 'list-by-grantee', ['SHR-1', 'COL-2'], "listByGrantee returns every grant of the grantee in the account's workspaces, and only those", async (store) => {
      const { f, org, other, people, bots, ws, otherWs } = await seedAccessWorld(store);
      const alice = asUser(people[0]!.user.id);
      const bot = asServiceAccount(bots[0]!.id);
      const aliceInOrg = [f.grant(ws[0]!, alice, 'developer'), f.grant(ws[2]!, alice, 'viewer')];
      const aliceInOther = f.grant(otherWs[0]!, alice, 'owner');
      const botGrant = f.grant(ws[1]!, bot, 'runner');
      await seedGrants(store, [...aliceInOrg, aliceInOther, botGrant, f.grant(ws[0]!, asUser(people[1]!.user.id))]);
      await inTx(store, async (tx) => {
        expectDeepEqual(canonical(await tx.grants.listByGrantee(org.id, alice)), canonical(aliceInOrg), 'grants.listByGrantee (any order)');
        expectDeepEqual(await tx.grants.listByGrantee(other.id, alice), [aliceInOther], 'grants.listByGrantee in another account');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, bot), [botGrant], 'grants.listByGrantee of a service account');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, asServiceAccount(alice.userId)), [], "grants.listByGrantee of a service account with a user's id");
        expectDeepEqual(await tx.grants.listByGrantee(org.id, asUser(people[2]!.user.id)), [], 'grants.listByGrantee of a user without grants');
      });
    }),

    defineCheck('grants', 'update-role', ['SHR-1', 'ROLE-2'], "updateRole changes the role and updatedAt only, and moves countByRole; an unknown grant gets 'missing'", async (store) => {
      const { f, org, people, bots, ws, role } = await seedAccessWorld(store);
      const alice = asUser(people[0]!.user.id);
      const bot = asServiceAccount(bots[0]!.id);
      const [g, h] = [f.grant(ws[0]!, alice, 'developer'), f.grant(ws[0]!, bot, 'developer')];
      await seedGrants(store, [g, h]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.updateRole(ws[0]!.id, alice, role.id, f.at(50)), 'ok', 'grants.updateRole to a custom role');
        expectEqual(await tx.grants.updateRole(ws[1]!.id, alice, 'viewer', f.at(50)), 'missing', 'grants.updateRole of a grant that does not exist');
        expectEqual(await tx.grants.updateRole(ws[0]!.id, asUser(bot.serviceAccountId), 'viewer', f.at(50)), 'missing', "grants.updateRole of a user with a service account's id");
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.grants.get(ws[0]!.id, alice), { ...g, role: role.id, updatedAt: f.at(50) }, 'the grant after updateRole');
        expectDeepEqual(await tx.grants.get(ws[0]!.id, bot), h, 'the other grant of the workspace after updateRole');
        expectEqual(await tx.grants.get(ws[1]!.id, alice), null, "grants.updateRole of a missing grant must not create it");
      });
      await expectRoleCounts(store, org.id, [['developer', 1], [role.id, 1], ['viewer', 0]], 'after updateRole');
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.updateRole(ws[0]!.id, bot, 'viewer', f.at(51)), 'ok', 'grants.updateRole to a built-in role');
      });
      await expectRoleCounts(store, org.id, [['developer', 0], [role.id, 1], ['viewer', 1]], 'after a second updateRole');
    }),

    defineCheck('grants', 'delete', ['SHR-1', 'COL-2'], "delete removes the grant from every listing and count; deleting it again gets 'missing'", async (store) => {
      const { f, org, people, ws } = await seedAccessWorld(store);
      const [alice, bob] = [asUser(people[0]!.user.id), asUser(people[1]!.user.id)];
      const [gone, kept, elsewhere] = [f.grant(ws[0]!, alice, 'runner'), f.grant(ws[0]!, bob, 'runner'), f.grant(ws[1]!, alice, 'runner')];
      await seedGrants(store, [gone, kept, elsewhere]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.delete(ws[0]!.id, alice), 'ok', 'grants.delete');
        expectEqual(await tx.grants.delete(ws[2]!.id, alice), 'missing', 'grants.delete of a grant that does not exist');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.get(ws[0]!.id, alice), null, 'grants.get after delete');
        expectOnlyPage(await tx.grants.listByWorkspace(ws[0]!.id, { limit: 10 }), [kept], 'grants.listByWorkspace after delete');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, alice), [elsewhere], 'grants.listByGrantee after delete');
        expectEqual(await tx.grants.countByRole(org.id, 'runner'), 2, 'grants.countByRole after delete');
        expectEqual(await tx.grants.delete(ws[0]!.id, alice), 'missing', 'grants.delete of a deleted grant');
      });
      const again = f.grant(ws[0]!, alice, 'viewer');
      await seedGrants(store, [again]);
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.grants.get(ws[0]!.id, alice), again, 'a grant inserted again after delete');
      });
    }),

    defineCheck('grants', 'delete-by-workspace', ['WS-4'], 'deleteByWorkspace removes every grant of the workspace, returns how many, and leaves other workspaces alone', async (store) => {
      const { f, org, other, people, bots, ws, otherWs, role } = await seedAccessWorld(store);
      const [alice, bob] = [asUser(people[0]!.user.id), asUser(people[1]!.user.id)];
      const bot = asServiceAccount(bots[0]!.id);
      const doomed = [f.grant(ws[0]!, alice, 'developer'), f.grant(ws[0]!, bob, role.id), f.grant(ws[0]!, bot, 'runner')];
      const kept = [f.grant(ws[1]!, alice, 'developer'), f.grant(ws[1]!, bot, 'runner')];
      const foreign = f.grant(otherWs[0]!, alice, 'developer');
      await seedGrants(store, [...doomed, ...kept, foreign]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.deleteByWorkspace(ws[0]!.id), 3, 'grants.deleteByWorkspace returns how many grants it deleted');
      });
      await inTx(store, async (tx) => {
        expectOnlyPage(await tx.grants.listByWorkspace(ws[0]!.id, { limit: 10 }), [], 'grants.listByWorkspace after deleteByWorkspace');
        for (const g of doomed) expectEqual(await tx.grants.get(g.workspaceId, g.grantee), null, `grants.get(${grantKey(g)}) after deleteByWorkspace`);
        expectOnlyPage(await tx.grants.listByWorkspace(ws[1]!.id, { limit: 10 }), kept, 'grants.listByWorkspace of another workspace');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, alice), [kept[0]!], 'grants.listByGrantee after deleteByWorkspace');
        expectDeepEqual(await tx.grants.listByGrantee(other.id, alice), [foreign], 'grants.listByGrantee in another account');
        expectEqual(await tx.grants.deleteByWorkspace(ws[0]!.id), 0, 'grants.deleteByWorkspace of a workspace without grants');
        expectEqual(await tx.grants.deleteByWorkspace(f.id<WorkspaceId>('ws')), 0, 'grants.deleteByWorkspace of an unknown workspace');
      });
      await expectRoleCounts(store, org.id, [['developer', 1], [role.id, 0], ['runner', 1]], 'after deleteByWorkspace');
      await expectRoleCounts(store, other.id, [['developer', 1]], 'the other account after deleteByWorkspace');
    }),

    defineCheck('grants', 'delete-by-grantee', ['COL-2', 'SHR-1'], "deleteByGrantee removes every grant of the grantee in the account's workspaces, returns how many, and leaves other grantees and accounts alone", async (store) => {
      const { f, org, other, people, bots, ws, otherWs } = await seedAccessWorld(store);
      const [alice, bob] = [asUser(people[0]!.user.id), asUser(people[1]!.user.id)];
      const [bot, bot2] = [asServiceAccount(bots[0]!.id), asServiceAccount(bots[1]!.id)];
      const aliceInOrg = [f.grant(ws[0]!, alice), f.grant(ws[1]!, alice), f.grant(ws[2]!, alice)];
      const aliceInOther = f.grant(otherWs[0]!, alice);
      const others = [f.grant(ws[0]!, bob), f.grant(ws[0]!, bot), f.grant(ws[1]!, bot), f.grant(ws[2]!, bot2)];
      await seedGrants(store, [...aliceInOrg, aliceInOther, ...others]);
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.deleteByGrantee(org.id, alice), 3, 'grants.deleteByGrantee of a user returns how many grants it deleted');
        expectEqual(await tx.grants.deleteByGrantee(org.id, bot), 2, 'grants.deleteByGrantee of a service account');
      });
      await inTx(store, async (tx) => {
        expectDeepEqual(await tx.grants.listByGrantee(org.id, alice), [], 'grants.listByGrantee after deleteByGrantee');
        expectDeepEqual(await tx.grants.listByGrantee(other.id, alice), [aliceInOther], 'grants of the user in another account');
        expectOnlyPage(await tx.grants.listByWorkspace(ws[0]!.id, { limit: 10 }), [others[0]!], 'grants.listByWorkspace after deleteByGrantee');
        expectDeepEqual(await tx.grants.get(ws[2]!.id, bot2), others[3]!, 'the grant of another service account');
        expectEqual(await tx.grants.deleteByGrantee(org.id, alice), 0, 'grants.deleteByGrantee of a grantee without grants');
        expectEqual(await tx.grants.countByRole(org.id, 'developer'), 2, 'grants.countByRole after deleteByGrantee');
      });
    }),

    defineCheck('grants', 'move-workspace', ['XFER-5', 'XFER-1', 'PLAN-2'], "moveWorkspace re-files every grant of the workspace under the new account: get, listByGrantee, countByRole, deleteByGrantee and seats follow, the old account no longer sees them", async (store) => {
      const { f, org, other, people, bots, ws, otherWs, role } = await seedAccessWorld(store, { people: 4 });
      const [alice, bob, carol, dave] = people.map((p) => asUser(p.user.id)) as [Grantee, Grantee, Grantee, Grantee];
      const bot = asServiceAccount(bots[0]!.id);
      const moving = [f.grant(ws[0]!, alice, 'developer'), f.grant(ws[0]!, bob, role.id), f.grant(ws[0]!, bot, 'runner'), f.grant(ws[0]!, carol, 'developer')];
      const staying = [f.grant(ws[1]!, alice, 'developer'), f.grant(ws[1]!, bot, 'runner')];
      const there = f.grant(otherWs[0]!, alice, 'viewer');
      await seedGrants(store, [...moving, ...staying, there, f.grant(otherWs[0]!, dave, 'developer')]);
      const now = f.at(60);
      const seatsBefore = await inTx(store, async (tx) => [await tx.seats.count(org.id, now), await tx.seats.count(other.id, now)]);
      expectDeepEqual(seatsBefore, [3, 2], 'setup: seats.count of both accounts before the move');
      const moved = moving.map((g) => ({ ...g, accountId: other.id }));
      await inTx(store, async (tx) => {
        // As a transfer does: the workspace moves, then its grants.
        expectEqual(await tx.workspaces.update({ ...ws[0]!, accountId: other.id, version: ws[0]!.version + 1 }, ws[0]!.version), 'ok', 'workspaces.update to the new account');
        expectEqual(await tx.grants.moveWorkspace(ws[0]!.id, other.id), 4, 'grants.moveWorkspace returns how many grants it moved');
        expectDeepEqual(await tx.grants.get(ws[0]!.id, bob), moved[1], 'grants.get of a moved grant, in the same unit of work');
        expectEqual(await tx.grants.countByRole(other.id, 'developer'), 3, 'grants.countByRole in the new account, in the same unit of work');
      });
      await inTx(store, async (tx) => {
        for (const g of moved) expectDeepEqual(await tx.grants.get(g.workspaceId, g.grantee), g, `grants.get(${grantKey(g)}) after moveWorkspace: only accountId changed`);
        expectOnlyPage(await tx.grants.listByWorkspace(ws[0]!.id, { limit: 10 }), [...moved.filter((g) => g.grantee.type === 'user'), moved[2]!], 'grants.listByWorkspace after moveWorkspace');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, alice), [staying[0]!], 'grants.listByGrantee in the old account after moveWorkspace');
        expectDeepEqual(canonical(await tx.grants.listByGrantee(other.id, alice)), canonical([moved[0]!, there]), 'grants.listByGrantee in the new account after moveWorkspace');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, bob), [], 'grants.listByGrantee in the old account of a grantee whose only grant moved');
        expectDeepEqual(await tx.grants.listByGrantee(other.id, bot), [moved[2]!], 'grants.listByGrantee in the new account of a service account');
        expectDeepEqual(await tx.grants.listByGrantee(org.id, bot), [staying[1]!], 'grants.listByGrantee in the old account of a service account');
        expectEqual(await tx.seats.count(org.id, now), 1, 'seats.count of the old account: bob and carol held a seat only through the moved workspace');
        expectEqual(await tx.seats.count(other.id, now), 4, 'seats.count of the new account: bob and carol now hold a seat there');
      });
      await expectRoleCounts(store, org.id, [['developer', 1], [role.id, 0], ['runner', 1], ['viewer', 0]], 'the old account after moveWorkspace');
      await expectRoleCounts(store, other.id, [['developer', 3], [role.id, 1], ['runner', 1], ['viewer', 1]], 'the new account after moveWorkspace');
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.deleteByGrantee(org.id, carol), 0, 'grants.deleteByGrantee in the old account of a grantee whose grant moved');
        expectEqual(await tx.grants.deleteByGrantee(other.id, carol), 1, 'grants.deleteByGrantee in the new account of a moved grant');
        expectEqual(await tx.grants.moveWorkspace(ws[2]!.id, other.id), 0, 'grants.moveWorkspace of a workspace without grants');
      });
      await inTx(store, async (tx) => {
        expectEqual(await tx.grants.get(ws[0]!.id, carol), null, 'grants.get of a moved grant deleted by grantee');
        expectEqual(await tx.grants.countByRole(other.id, 'developer'), 2, 'grants.countByRole in the new account after deleteByGrantee');
        expectEqual(await tx.seats.count(other.id, now), 3, 'seats.count of the new account after deleteByGrantee');
      });
    }),

    defineCheck('grants', 'count-by-role', ['ROLE-2'], "countByRole counts an account's grants using a role, across its workspaces and grantee types, and nothing else", async (store) => {
      const { f, org, other, people, bots, ws, otherWs, role, otherRole } = await seedAccessWorld(store);
      const [alice, bob, carol] = people.map((p) => asUser(p.user.id)) as [Grantee, Grantee, Grantee];
      const bot = asServiceAccount(bots[0]!.id);
      await expectRoleCounts(store, org.id, [['developer', 0], [role.id, 0]], 'an account without grants');
      await seedGrants(store, [
        f.grant(ws[0]!, alice, 'developer'),
        f.grant(ws[1]!, alice, 'developer'),
        f.grant(ws[0]!, bot, 'developer'),
        f.grant(ws[2]!, bob, role.id),
        f.grant(ws[1]!, carol, role.id),
        f.grant(ws[0]!, carol, 'viewer'),
        f.grant(otherWs[0]!, alice, 'developer'),
        f.grant(otherWs[0]!, bob, otherRole.id),
      ]);
      await expectRoleCounts(store, org.id, [['developer', 3], [role.id, 2], ['viewer', 1], ['owner', 0], [otherRole.id, 0]], 'grants of the account');
      await expectRoleCounts(store, other.id, [['developer', 1], [otherRole.id, 1], [role.id, 0], ['viewer', 0]], 'grants of the other account');
    }),
  ];
}

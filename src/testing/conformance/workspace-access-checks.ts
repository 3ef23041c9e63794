import type { AccountId } from '../../core/ids.js';
import { asServiceAccount, asUser, type Grantee } from '../../core/principal.js';
import type { Store } from '../../ports/store.js';
import type { WorkspaceRoleRef } from '../../role/custom-role.js';
import type { Workspace } from '../../workspace/workspace.js';
import { expectDeepEqual, expectEqual } from './assertions.js';
import { defineCheck, type ConformanceCheck } from './check.js';
import { inTx, insertGrant, seedAccessWorld, seedAccounts, seedWorkspaces, Fixtures } from './fixtures.js';
import { expectOnlyPage, expectPages, pageSizesFor } from './paging.js';

/** Sets the default roles of `workspaces` (by update at their version) and returns them as stored. */
async function setDefaultRoles(store: Store, workspaces: readonly Workspace[], roles: readonly (WorkspaceRoleRef | null)[]): Promise<Workspace[]> {
  const updated = workspaces.map((w, i) => ({ ...w, defaultRole: roles[i] ?? null, version: w.version + 1 }));
  await inTx(store, async (tx) => {
    for (const [i, w] of updated.entries()) {
      expectEqual(await tx.workspaces.update(w, workspaces[i]!.version), 'ok', `setup: workspaces.update(${w.id}) with a default role`);
    }
  });
  return updated;
}

/** Expects `listAccessible` to return exactly `expected` on a single page. */
async function expectAccessible(
  store: Store,
  accountId: AccountId,
  grantee: Grantee,
  withDefaultRole: boolean,
  expected: readonly Workspace[],
  what: string,
): Promise<void> {
  const page = await inTx(store, (tx) => tx.workspaces.listAccessible(accountId, grantee, { withDefaultRole }, { limit: 500 }));
  expectOnlyPage(page, expected, `workspaces.listAccessible ${what} (withDefaultRole: ${withDefaultRole})`);
}

/** Checks of the `workspaces` suite about access: default roles and accessible listings (ROLE-2, ROLE-3, SHR-1). */
export function workspaceAccessChecks(): ConformanceCheck[] {
  return [
    defineCheck('workspaces', 'default-role-round-trip', ['ROLE-3'], 'a default role (built-in, custom or null) is stored by insert and update and returned by every read', async (store) => {
      const f = new Fixtures();
      const org = f.organization();
      await seedAccounts(store, [org]);
      const role = f.role(org.id);
      await inTx(store, (tx) => tx.roles.insert(role).then((o) => expectEqual(o, 'ok', 'setup: roles.insert')));
      const ws = [f.workspace(org.id, { defaultRole: 'viewer' }), f.workspace(org.id, { defaultRole: role.id }), f.workspace(org.id)];
      await seedWorkspaces(store, ws);
      await inTx(store, async (tx) => {
        for (const w of ws) {
          expectDeepEqual(await tx.workspaces.getById(w.id), w, `workspaces.getById(${w.id})`);
          expectDeepEqual(await tx.workspaces.getByHandle(org.id, w.handle), w, `workspaces.getByHandle(${w.handle})`);
        }
        expectOnlyPage(await tx.workspaces.listByAccount(org.id, { limit: 10 }), ws, 'workspaces.listByAccount');
      });
      const updated = await setDefaultRoles(store, ws, [null, 'runner', role.id]);
      await inTx(store, async (tx) => {
        for (const w of updated) expectDeepEqual(await tx.workspaces.getById(w.id), w, `workspaces.getById(${w.id}) after changing its default role`);
      });
    }),

    defineCheck('workspaces', 'count-by-default-role', ['ROLE-2', 'ROLE-3'], "countByDefaultRole counts an account's workspaces by default role, following updates, deletes and transfers", async (store) => {
      const { org, other, ws, otherWs, role } = await seedAccessWorld(store, { workspaces: 4 });
      const count = (accountId: AccountId, r: WorkspaceRoleRef) => inTx(store, (tx) => tx.workspaces.countByDefaultRole(accountId, r));
      expectEqual(await count(org.id, 'viewer'), 0, 'workspaces.countByDefaultRole without default roles');
      const [a, b, c] = await setDefaultRoles(store, ws, ['viewer', 'viewer', role.id, null]);
      await setDefaultRoles(store, otherWs, ['viewer']);
      expectEqual(await count(org.id, 'viewer'), 2, 'workspaces.countByDefaultRole(viewer)');
      expectEqual(await count(org.id, role.id), 1, 'workspaces.countByDefaultRole(custom role)');
      expectEqual(await count(org.id, 'developer'), 0, 'workspaces.countByDefaultRole of a role no workspace has');
      expectEqual(await count(other.id, 'viewer'), 1, 'workspaces.countByDefaultRole of another account');
      await setDefaultRoles(store, [a!], [role.id]);
      expectEqual(await count(org.id, 'viewer'), 1, 'workspaces.countByDefaultRole(viewer) after an update');
      expectEqual(await count(org.id, role.id), 2, 'workspaces.countByDefaultRole(custom role) after an update');
      await inTx(store, async (tx) => {
        expectEqual(await tx.workspaces.delete(c!.id, c!.version), 'ok', 'workspaces.delete');
        expectEqual(await tx.workspaces.update({ ...b!, accountId: other.id, version: b!.version + 1 }, b!.version), 'ok', 'workspaces.update that transfers');
      });
      expectEqual(await count(org.id, role.id), 1, 'workspaces.countByDefaultRole after a delete');
      expectEqual(await count(org.id, 'viewer'), 0, 'workspaces.countByDefaultRole of the source after a transfer');
      expectEqual(await count(other.id, 'viewer'), 2, 'workspaces.countByDefaultRole of the target after a transfer');
    }),

    defineCheck('workspaces', 'list-accessible', ['ROLE-3', 'SHR-1'], "listAccessible returns the account's workspaces where the grantee holds a grant, plus, with withDefaultRole, those with a default role", async (store) => {
      const { f, org, other, people, bots, ws: seeded, otherWs } = await seedAccessWorld(store, { workspaces: 6 });
      const [alice, bob, carol] = [asUser(people[0]!.user.id), asUser(people[1]!.user.id), asUser(people[2]!.user.id)];
      const bot = asServiceAccount(bots[0]!.id);
      // granted: a (alice), c (alice), e (bob), f (bot); default role: b, c.
      const ws = await setDefaultRoles(store, seeded, [null, 'viewer', 'runner', null, null, null]);
      const [a, b, c, , e, g] = ws as [Workspace, Workspace, Workspace, Workspace, Workspace, Workspace];
      await inTx(store, async (tx) => {
        await insertGrant(tx, f.grant(a, alice));
        await insertGrant(tx, f.grant(c, alice, 'viewer'));
        await insertGrant(tx, f.grant(e, bob));
        await insertGrant(tx, f.grant(g, bot));
        await insertGrant(tx, f.grant(otherWs[0]!, alice));
      });
      await expectAccessible(store, org.id, alice, false, [a, c], 'of a user with grants');
      await expectAccessible(store, org.id, alice, true, [a, b, c], 'of a user with grants');
      await expectAccessible(store, org.id, bob, true, [b, c, e], 'of another user');
      await expectAccessible(store, org.id, carol, false, [], 'of a user without grants');
      await expectAccessible(store, org.id, carol, true, [b, c], 'of a user without grants');
      await expectAccessible(store, org.id, bot, false, [g], 'of a service account');
      await expectAccessible(store, org.id, asServiceAccount(alice.userId), false, [], "of a service account with a user's id");
      await expectAccessible(store, other.id, alice, true, [otherWs[0]!], 'in another account');
    }),

    defineCheck('workspaces', 'list-accessible-paging', ['ROLE-3', 'SHR-1'], 'listAccessible pages visit every accessible workspace exactly once in handle order, with no trailing empty page, for several page sizes', async (store) => {
      const { f, org, people, ws: seeded } = await seedAccessWorld(store, { workspaces: 14 });
      const alice = asUser(people[0]!.user.id);
      const bob = asUser(people[1]!.user.id);
      const granted = new Set([1, 4, 5, 10]);
      const defaulted = new Set([2, 5, 8]);
      const ws = await setDefaultRoles(store, seeded, seeded.map((_, i) => (defaulted.has(i) ? 'viewer' : null)));
      await inTx(store, async (tx) => {
        for (const i of granted) await insertGrant(tx, f.grant(ws[i]!, alice));
        // Another grantee's grants on the workspaces after the last accessible one.
        for (const i of [11, 12, 13]) await insertGrant(tx, f.grant(ws[i]!, bob));
      });
      const cases = [
        { withDefaultRole: false, expected: ws.filter((_, i) => granted.has(i)) },
        { withDefaultRole: true, expected: ws.filter((_, i) => granted.has(i) || defaulted.has(i)) },
      ];
      for (const { withDefaultRole, expected } of cases) {
        for (const limit of pageSizesFor(expected.length)) {
          await expectPages(
            `workspaces.listAccessible (withDefaultRole: ${withDefaultRole})`,
            limit,
            (page) => inTx(store, (tx) => tx.workspaces.listAccessible(org.id, alice, { withDefaultRole }, page)),
            (w) => w.handle,
            expected.map((w) => w.handle),
          );
        }
      }
      const first = await inTx(store, (tx) => tx.workspaces.listAccessible(org.id, alice, { withDefaultRole: true }, { limit: 2 }));
      expectDeepEqual(first.items, [ws[1], ws[2]], 'workspaces listed by workspaces.listAccessible are the stored records');
    }),
  ];
}

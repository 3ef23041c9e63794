/**
 * A clashing primary key is a host bug (a reused id generator), not a taken handle: the adapter
 * must not report it as 'email-taken' / 'handle-taken', which would send a user the wrong error.
 */
import { describe, expect, it } from 'vitest';
import type { Account, User } from '../../../src/index.js';
import { releaseStore, sqliteMemoryStore } from './stores.js';

const NOW = '2026-01-01T00:00:00.000Z';
const account = (id: string, handle: string): Account =>
  ({ id, kind: 'personal', handle, displayName: handle, planId: 'hobby', ownerUserId: null, version: 1, createdAt: NOW, updatedAt: NOW }) as Account;
const user = (id: string, email: string, accountId: string): User =>
  ({ id, email, displayName: email, personalAccountId: accountId, createdAt: NOW }) as User;

describe('id collisions on the Kysely adapter (SQLite)', () => {
  it('HDL-1 a new handle with a reused account id raises instead of reporting the handle taken', async () => {
    const entry = await sqliteMemoryStore();
    try {
      await entry.store.transaction(async (tx) => expect(await tx.accounts.insert(account('acc_1', 'ada'))).toBe('ok'));
      await expect(entry.store.transaction((tx) => tx.accounts.insert(account('acc_1', 'grace')))).rejects.toThrow();
      const taken = await entry.store.transaction((tx) => tx.accounts.insert(account('acc_2', 'ada')));
      expect(taken).toBe('handle-taken');
    } finally {
      await releaseStore(entry.store);
    }
  });

  it('ACC-1 a new email with a reused user id raises instead of reporting the email taken', async () => {
    const entry = await sqliteMemoryStore();
    try {
      await entry.store.transaction(async (tx) => {
        await tx.accounts.insert(account('acc_1', 'ada'));
        expect(await tx.users.insert(user('usr_1', 'ada@example.test', 'acc_1'))).toBe('ok');
      });
      await expect(entry.store.transaction((tx) => tx.users.insert(user('usr_1', 'grace@example.test', 'acc_1')))).rejects.toThrow();
      expect(await entry.store.transaction((tx) => tx.users.insert(user('usr_2', 'ada@example.test', 'acc_1')))).toBe('email-taken');
    } finally {
      await releaseStore(entry.store);
    }
  });
});

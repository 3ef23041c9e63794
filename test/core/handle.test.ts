import { describe, expect, it } from 'vitest';
import {
  FullHandleSchema,
  HANDLE_MAX_LENGTH,
  HandleSchema,
  asUser,
  fullHandle,
  handleViolation,
  normalizeHandle,
  system,
} from '../../src/index.js';
import { createTestKit } from '../../src/testing.js';

/** The rule named by the first issue of a failed HandleSchema parse. */
function ruleOf(raw: string): unknown {
  const r = HandleSchema.safeParse(raw);
  if (r.success) return null;
  return (r.error.issues[0] as { params?: { rule?: unknown } }).params?.rule;
}

describe('handles (HDL-2)', () => {
  it('HDL-2 normalizes by trimming and lower-casing', () => {
    expect(normalizeHandle('  Data-Team \t')).toBe('data-team');
    expect(normalizeHandle('ACME')).toBe('acme');
    expect(HandleSchema.parse('  Data-Team ')).toBe('data-team');
  });

  it('HDL-2 accepts lowercase letters, digits and single inner hyphens', () => {
    for (const ok of ['a', '0', 'prod', 'data-team', 'a-b-c', 'team42', '42', 'x1-y2-z3']) {
      expect(handleViolation(ok), ok).toBeNull();
      expect(HandleSchema.parse(ok)).toBe(ok);
    }
  });

  it('HDL-2 accepts exactly 40 characters and refuses 41 as too-long', () => {
    expect(HANDLE_MAX_LENGTH).toBe(40);
    const forty = 'a'.repeat(40);
    expect(handleViolation(forty)).toBeNull();
    expect(HandleSchema.parse(`  ${forty.toUpperCase()}  `)).toBe(forty);
    expect(handleViolation('a'.repeat(41))).toBe('too-long');
    expect(ruleOf('a'.repeat(41))).toBe('too-long');
  });

  it('HDL-2 measures the length after trimming', () => {
    expect(ruleOf(`   ${'b'.repeat(40)}   `)).toBeNull();
  });

  it('HDL-2 refuses an empty or blank handle as empty', () => {
    expect(handleViolation('')).toBe('empty');
    expect(ruleOf('')).toBe('empty');
    expect(ruleOf('    ')).toBe('empty');
    expect(ruleOf('\t\n')).toBe('empty');
  });

  it('HDL-2 refuses a double hyphen and names the rule', () => {
    expect(handleViolation('data--team')).toBe('double-hyphen');
    expect(ruleOf('data--team')).toBe('double-hyphen');
    const r = HandleSchema.safeParse('data--team');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/two hyphens/);
  });

  it('HDL-2 refuses a leading or trailing hyphen as edge-hyphen', () => {
    expect(handleViolation('-prod')).toBe('edge-hyphen');
    expect(handleViolation('prod-')).toBe('edge-hyphen');
    expect(handleViolation('-')).toBe('edge-hyphen');
    expect(ruleOf(' -prod ')).toBe('edge-hyphen');
  });

  it('HDL-2 refuses spaces, underscores, dots, slashes and Unicode letters as invalid-character', () => {
    for (const bad of ['data team', 'data_team', 'data.team', 'a/b', 'café', 'ünïcode', 'データ', 'a\u00a0b', 'emoji😀']) {
      expect(handleViolation(normalizeHandle(bad)), bad).toBe('invalid-character');
      expect(ruleOf(bad), bad).toBe('invalid-character');
    }
  });

  it('HDL-2 names exactly one rule: the first broken, in a fixed order', () => {
    // Too long and invalid at once: the length rule comes first.
    expect(handleViolation(`${'é'.repeat(41)}`)).toBe('too-long');
    // Invalid character and edge hyphen: the character rule comes first.
    expect(handleViolation('-a_b-')).toBe('invalid-character');
    // Edge hyphen and double hyphen: the edge rule comes first.
    expect(handleViolation('--ab')).toBe('edge-hyphen');
    const r = HandleSchema.safeParse('-a--b');
    expect(r.success).toBe(false);
    expect(r.error?.issues).toHaveLength(1);
  });

  it('HDL-2 every refusal message states the rule', () => {
    const messages = {
      empty: '',
      'too-long': 'a'.repeat(41),
      'invalid-character': 'a b',
      'edge-hyphen': '-a',
      'double-hyphen': 'a--b',
    } as const;
    const seen = new Set<string>();
    for (const [rule, raw] of Object.entries(messages)) {
      const r = HandleSchema.safeParse(raw);
      expect(r.success, rule).toBe(false);
      const message = r.error?.issues[0]?.message ?? '';
      expect(message.length, rule).toBeGreaterThan(0);
      seen.add(message);
    }
    // One distinct message per rule.
    expect(seen.size).toBe(5);
  });

  it('HDL-2 refuses non-string input', () => {
    expect(HandleSchema.safeParse(42).success).toBe(false);
    expect(HandleSchema.safeParse(null).success).toBe(false);
    expect(HandleSchema.safeParse(undefined).success).toBe(false);
  });
});

describe('full handles (HDL-1)', () => {
  it('HDL-1 the full handle is account/workspace', () => {
    expect(fullHandle('acme', 'prod')).toBe('acme/prod');
  });

  it('HDL-1 FullHandleSchema normalizes each half', () => {
    expect(FullHandleSchema.parse(' Acme/Prod ')).toEqual({ account: 'acme', workspace: 'prod' });
    expect(FullHandleSchema.parse('ACME/data-team')).toEqual({ account: 'acme', workspace: 'data-team' });
  });

  it('HDL-1 FullHandleSchema refuses anything but exactly one slash', () => {
    expect(FullHandleSchema.safeParse('acme').success).toBe(false);
    expect(FullHandleSchema.safeParse('acme/prod/x').success).toBe(false);
    expect(FullHandleSchema.safeParse('').success).toBe(false);
  });

  it('HDL-2 FullHandleSchema applies the handle rules to both halves and names the rule', () => {
    const r = FullHandleSchema.safeParse('acme/pr--od');
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0] as { path: unknown[]; params?: { rule?: string } } | undefined;
    expect(issue?.path).toEqual(['workspace']);
    expect(issue?.params?.rule).toBe('double-hyphen');
    const r2 = FullHandleSchema.safeParse('/prod');
    expect(r2.success).toBe(false);
    expect((r2.error?.issues[0] as { params?: { rule?: string } }).params?.rule).toBe('empty');
  });
});

describe('handles through the kit (HDL-2)', () => {
  it('HDL-2 createWorkspace refuses a double hyphen with VALIDATION naming the rule and path', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const r = await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: 'data--team' });
    expect(r.isErr() && r.error.code).toBe('VALIDATION');
    if (r.isErr() && r.error.code === 'VALIDATION') {
      expect(r.error.issues).toHaveLength(1);
      expect(r.error.issues[0]).toMatchObject({ path: ['input', 'handle'], rule: 'double-hyphen' });
      expect(r.error.message).toContain('input.handle');
      expect(r.error.message).toContain('two hyphens');
    }
  });

  it('HDL-2 registerUser refuses a Unicode account handle and names invalid-character', async () => {
    const { kit } = createTestKit();
    const r = await kit.registerUser(system(), { email: 'zoe@example.com', displayName: 'Zoë', handle: 'zoë' });
    expect(r.isErr() && r.error.code).toBe('VALIDATION');
    if (r.isErr() && r.error.code === 'VALIDATION') {
      expect(r.error.issues[0]).toMatchObject({ path: ['input', 'handle'], rule: 'invalid-character' });
    }
  });

  it('HDL-2 the kit stores the normalized handle', async () => {
    const { kit, seed } = createTestKit();
    const ada = await seed.user();
    const ws = (
      await kit.createWorkspace(asUser(ada.user.id), { accountId: ada.account.id, handle: '  Data-Team ' })
    )._unsafeUnwrap();
    expect(ws.handle).toBe('data-team');
    expect(ws.fullHandle).toBe(`${ada.account.handle}/data-team`);
  });
});

import pg from 'pg';
import { describe, expect, it } from 'vitest';

describe('the PostgreSQL test server (issue 3 test harness)', () => {
  it('is reachable through WORKSPACE_KIT_TEST_PG_URL and is PostgreSQL', async () => {
    const url = process.env['WORKSPACE_KIT_TEST_PG_URL'];
    expect(url, 'WORKSPACE_KIT_TEST_PG_URL must be set by the global setup').toBeTruthy();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
      expect(Number(rows[0]?.server_version_num)).toBeGreaterThanOrEqual(150000);
    } finally {
      await client.end();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../agent/src/core/log.ts';
import { setPassword } from '../../../agent/src/web/passwords.ts';
import { CurrentUsers } from '../../../agent/src/web/users.ts';

describe('current users (the roles sessions are checked against)', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jifang-users-'));
    file = join(dir, 'users');
    await setPassword(file, 'old', 'operator', 'old-password');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a user added after the list was read keeps the session made at login, within the re-read interval', async () => {
    const users = new CurrentUsers(file, silentLogger, 60_000);
    expect(await users.roleOf('old', 1_000)).toBe('operator');
    await setPassword(file, 'new', 'installer', 'new-password');
    // The list read at 1 s knows nothing of `new`; the session made at 1.5 s came from the file as it is now.
    expect(await users.roleOf('new', 2_000, 1_500)).toBe('installer');
  });

  it('within the interval, a removal is seen only once the list is read again', async () => {
    const users = new CurrentUsers(file, silentLogger, 2_000);
    expect(await users.roleOf('old', 1_000, 500)).toBe('operator');
    await setPassword(file, 'new', 'installer', 'new-password');
    expect(await users.roleOf('new', 1_500)).toBeUndefined();
    expect(await users.roleOf('new', 3_000)).toBe('installer');
  });
});

import { mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticate, hashPassword, parseUsers, setPassword, verifyPassword } from '../../../agent/src/web/passwords.ts';
import { resolveInside } from '../../../agent/src/web/static.ts';

describe('console passwords', () => {
  // Several 32 MiB scrypt runs (~0.1 s each on an idle core, 1.5 s on two loaded ones): the default 30 s ran out
  // once under Node 24 inside the whole unit suite at low priority.
  it('stores scrypt hashes, never the password, and checks them', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-pw-'));
    const file = join(dir, 'users');
    expect(await setPassword(file, 'installer1', 'installer', 'correct horse')).toBe('added');
    expect(await setPassword(file, 'viewer1', 'viewer', 'battery staple')).toBe('added');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(text).toMatch(/^installer1:installer:scrypt\$32768\$8\$1\$/m);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await authenticate(file, 'installer1', 'correct horse'))?.role).toBe('installer');
    expect(await authenticate(file, 'installer1', 'correct horsE')).toBeUndefined();
    expect(await authenticate(file, 'nobody', 'correct horse')).toBeUndefined();
    expect(await setPassword(file, 'installer1', 'admin', 'new one here')).toBe('updated');
    expect(await authenticate(file, 'installer1', 'correct horse')).toBeUndefined();
    expect((await authenticate(file, 'installer1', 'new one here'))?.role).toBe('admin');
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('viewer1:')),
    ).toHaveLength(1);
  });

  it('refuses a malformed users file with the file, line and expected form', () => {
    expect(() => parseUsers('# users\nalice:root:scrypt$1$2$3$a$b\n', '/etc/jifang/users')).toThrow(
      '/etc/jifang/users: line 2: expected USER:ROLE:scrypt$… with ROLE one of viewer, operator, dispatcher, installer, admin, patrol, supervisor',
    );
  });

  it('never matches a tampered hash', async () => {
    const h = await hashPassword('pw-12345678');
    expect(await verifyPassword('pw-12345678', h)).toBe(true);
    expect(await verifyPassword('pw-12345678', h.replace(/.$/, h.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(await verifyPassword('pw-12345678', 'plain')).toBe(false);
  });
});

describe('files served from a folder', () => {
  it('serves files inside the folder and nothing outside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jifang-static-'));
    const root = join(dir, 'evidence');
    mkdirSync(join(root, 'cam'), { recursive: true });
    writeFileSync(join(root, 'cam', 'a.jpg'), 'jpeg');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
    expect(await resolveInside(root, 'cam/a.jpg')).toBe(join(root, 'cam', 'a.jpg'));
    for (const bad of [
      '../secret.txt',
      'cam/../../secret.txt',
      '/etc/passwd',
      'link.txt',
      'cam',
      'cam\\..\\..\\secret.txt',
      'a\0.jpg',
      'missing.jpg',
    ]) {
      expect(await resolveInside(root, bad), bad).toBeUndefined();
    }
  });
});

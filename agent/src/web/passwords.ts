import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../core/durable.ts';

/**
 * Who may do what, least to most: a viewer watches, an operator acts on events, a dispatcher (command center) also
 * sends patrols, an installer edits a box's config. On the center a patrol officer sees and moves his unit's work
 * orders and a supervisor gets escalations and confirms 核查 as the second person.
 */
export const ROLES = ['viewer', 'operator', 'dispatcher', 'installer', 'admin', 'patrol', 'supervisor'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const userNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, { error: 'expected a user name of 1–64 letters, digits, ".", "_", "@" or "-"' });

/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB and ~0.1 s per check, the OWASP floor for interactive logins. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

export interface UserEntry {
  user: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash` (salt and hash base64). */
  hash: string;
}

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, KEY_LENGTH, { ...cost, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Timing-safe; an unparsable hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5], 'base64');
  if (expected.length !== KEY_LENGTH || N > 2 ** 20 || 128 * N * r * p > MAX_MEM) return false;
  const key = await derive(password, Buffer.from(m[4], 'base64'), { N, r, p });
  return timingSafeEqual(key, expected);
}

/** Checked against when the user is unknown, so that a wrong name costs as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

/**
 * The users file: one `USER:ROLE:HASH` line per user, `#` comments. Re-read at every login so that
 * `jifang passwd` takes effect without a restart. Throws with the file, line and expected form when malformed.
 */
export async function readUsersFile(file: string): Promise<UserEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${file}: cannot read the users file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseUsers(text, file);
}

export function parseUsers(text: string, file: string): UserEntry[] {
  const out: UserEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [user, role, hash, ...rest] = line.split(':');
    if (rest.length || !userNameSchema.safeParse(user).success || !roleSchema.safeParse(role).success || !hash?.startsWith('scrypt$')) {
      throw new Error(
        `${file}: line ${i + 1}: expected USER:ROLE:scrypt$… with ROLE one of ${ROLES.join(', ')} (make entries with "jifang passwd ${file} USER")`,
      );
    }
    out.push({ user, role: role as Role, hash });
  });
  return out;
}

/** The user's entry when the password matches; every call costs one scrypt, known user or not. */
export async function authenticate(file: string, user: string, password: string): Promise<UserEntry | undefined> {
  const entry = (await readUsersFile(file)).find((u) => u.user === user);
  if (!entry) {
    await verifyPassword(password, await (dummyHash ??= hashPassword('not a password anyone has')));
    return undefined;
  }
  return (await verifyPassword(password, entry.hash)) ? entry : undefined;
}

/** Adds or replaces `user` in the users file (created 0600 when missing), keeping other lines and comments. */
export async function setPassword(file: string, user: string, role: Role, password: string): Promise<'added' | 'updated'> {
  userNameSchema.parse(user);
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    text = '# jifang console users: USER:ROLE:scrypt hash. Edit with "jifang passwd".\n';
  }
  parseUsers(text, file);
  const line = `${user}:${role}:${await hashPassword(password)}`;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().split(':')[0] === user && !l.trim().startsWith('#'));
  if (at >= 0) lines[at] = line;
  else {
    if (lines[lines.length - 1] === '') lines.pop();
    lines.push(line, '');
  }
  await writeFileAtomic(file, lines.join('\n'), 0o600);
  return at >= 0 ? 'updated' : 'added';
}

/**
 * Rewrites the line of `user`, keeping other lines and comments: `next` gives the new line, or null to remove it.
 * False when the file has no such user (nothing written).
 */
async function rewriteUser(file: string, user: string, next: (e: UserEntry) => string | null): Promise<boolean> {
  const text = await readFile(file, 'utf8');
  const entry = parseUsers(text, file).find((u) => u.user === user);
  if (!entry) return false;
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().split(':')[0] === user && !l.trim().startsWith('#'));
  const line = next(entry);
  if (line === null) lines.splice(at, 1);
  else lines[at] = line;
  await writeFileAtomic(file, lines.join('\n'), 0o600);
  return true;
}

/** Gives `user` another role, keeping the password. */
export const changeRole = (file: string, user: string, role: Role): Promise<boolean> =>
  rewriteUser(file, user, (e) => `${e.user}:${role}:${e.hash}`);

/** Takes `user` out of the users file: no login any more. */
export const removeUser = (file: string, user: string): Promise<boolean> => rewriteUser(file, user, () => null);

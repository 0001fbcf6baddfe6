import type { Logger } from '../core/log.ts';
import { type Role, readUsersFile } from './passwords.ts';

/**
 * Each user's role as the users file says now, re-read at most every `maxAgeMs`: a session of a user removed from
 * the file, or given another role, ends within that time (`jifang passwd` needs no restart). A file that cannot be
 * read or parsed keeps the last good list (and says so in the log) rather than refusing everyone.
 */
export class CurrentUsers {
  private roles: Map<string, Role> | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<Map<string, Role>> | undefined;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
    private readonly maxAgeMs = 2_000,
  ) {}

  /**
   * `readSince`: a list read before then cannot judge (a session made at login, from the file as it was then, for a
   * user the list may not have yet).
   */
  async roleOf(user: string, now: number, readSince = Number.NEGATIVE_INFINITY): Promise<Role | undefined> {
    if (!this.roles || now - this.readAt >= this.maxAgeMs || this.readAt < readSince) {
      this.reading ??= this.read(now).finally(() => (this.reading = undefined));
      await this.reading;
    }
    return this.roles?.get(user);
  }

  private async read(now: number): Promise<Map<string, Role>> {
    try {
      this.roles = new Map((await readUsersFile(this.file)).map((u) => [u.user, u.role]));
    } catch (err) {
      this.log.error({ err, file: this.file }, 'users file unreadable: sessions checked against its last good content');
      if (!this.roles) throw err;
    }
    this.readAt = now;
    return this.roles;
  }
}

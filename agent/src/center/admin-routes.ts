import { z } from 'zod';
import { urlHost } from '../core/redact.ts';
import { HttpError } from '../web/http-error.ts';
import { changeRole, readUsersFile, removeUser, roleSchema, setPassword, userNameSchema } from '../web/passwords.ts';
import type { WebContext, WebRoute } from '../web/server.ts';
import type { CenterConfig } from './config.ts';
import type { CenterSessions } from './store/types.ts';
import type { CenterSettings } from './wire.ts';

/** As `jifang passwd` asks: at least 8 characters. */
const passwordSchema = z.string().min(8, { error: 'expected a password of at least 8 characters' }).max(256);

const newUserSchema = z.strictObject({ user: userNameSchema, role: roleSchema, password: passwordSchema });
const changeSchema = z
  .strictObject({ role: roleSchema.optional(), password: passwordSchema.optional() })
  .refine((c) => c.role !== undefined || c.password !== undefined, { message: 'expected a new role, a new password or both' });

/**
 * The admin's accounts page behind `/api/admin/users`: the same users file `jifang passwd` writes (read at each login,
 * so a change counts at the next one; the user's open sessions end with it). Admins only; every change is audited with
 * who and what, never the password.
 */
export function adminRoutes(d: { cfg: CenterConfig; sessions: Pick<CenterSessions, 'endUser'> }): WebRoute[] {
  const usersFile = d.cfg.users;
  const admin = (method: WebRoute['method'], path: string, handle: (ctx: WebContext) => Promise<void>): WebRoute => ({
    method,
    path,
    roles: ['admin'],
    handle,
  });
  const entry = async (user: string) => (await readUsersFile(usersFile)).find((u) => u.user === user);
  return [
    admin('GET', '/api/admin/settings', async (ctx) => ctx.json(200, centerSettings(d.cfg))),
    admin('GET', '/api/admin/users', async (ctx) => {
      const users = (await readUsersFile(usersFile)).map((u) => ({ user: u.user, role: u.role }));
      ctx.json(200, { users: users.sort((a, b) => a.user.localeCompare(b.user)) });
    }),
    admin('POST', '/api/admin/users', async (ctx) => {
      const body = await ctx.body(newUserSchema, 4096);
      if (await entry(body.user)) throw new HttpError(409, `user ${body.user} exists: change their role or password instead`);
      await setPassword(usersFile, body.user, body.role, body.password);
      ctx.auditDetail({ change: 'user added', user: body.user, role: body.role });
      ctx.json(201, { user: body.user, role: body.role });
    }),
    admin('PUT', '/api/admin/users/:user', async (ctx) => {
      const body = await ctx.body(changeSchema, 4096);
      const { user } = ctx.params;
      const was = await entry(user);
      if (!was) throw new HttpError(404, `no user ${user}`);
      if (user === ctx.session.user && body.role && body.role !== 'admin')
        throw new HttpError(409, 'you cannot take the admin role from yourself: another admin must');
      const role = body.role ?? was.role;
      if (body.password) await setPassword(usersFile, user, role, body.password);
      else await changeRole(usersFile, user, role);
      // Their open sessions carry the old role (or were opened with the old password): they log in again.
      if (user !== ctx.session.user) await d.sessions.endUser(user);
      ctx.auditDetail({
        change: 'user changed',
        user,
        ...(body.role ? { role: { from: was.role, to: role } } : {}),
        passwordReset: !!body.password,
      });
      ctx.json(200, { user, role });
    }),
    admin('DELETE', '/api/admin/users/:user', async (ctx) => {
      const { user } = ctx.params;
      if (user === ctx.session.user) throw new HttpError(409, 'you cannot remove yourself: another admin must');
      if (!(await removeUser(usersFile, user))) throw new HttpError(404, `no user ${user}`);
      await d.sessions.endUser(user);
      ctx.auditDetail({ change: 'user removed', user });
      ctx.json(200, { user, removed: true });
    }),
  ];
}

/** The center's settings as an admin reads them in the UI (changed in the config file): no secret, no address's password. */
export function centerSettings(cfg: CenterConfig): CenterSettings {
  return {
    name: cfg.name,
    broker: urlHost(cfg.mqtt.url),
    topicRoot: cfg.mqtt.root,
    commandTimeoutSeconds: cfg.mqtt.commandTimeoutSeconds,
    storage: cfg.storage.kind,
    usersFile: cfg.users,
    units: cfg.units,
    dispatchReminderMinutes: cfg.dispatchReminderMinutes,
    retention: cfg.retention,
    forwarders: cfg.forwarders.map((f) => ({ id: f.id, name: f.name ?? f.id, url: urlHost(f.url), states: f.states })),
  };
}

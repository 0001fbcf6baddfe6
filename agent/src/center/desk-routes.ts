import { readUsersFile } from '../web/passwords.ts';
import type { WebRoute } from '../web/server.ts';
import { CENTER_ROLES } from './roles.ts';
import type { CategoryView } from './wire.ts';

/**
 * What the dispatcher's and admin's patrol pages need besides the patrol API: the catalogue's categories (the hotline
 * form's choice, an order's category in words) and the officers' accounts (a unit's members are ticked from them).
 */
export function deskRoutes(d: { categories: readonly CategoryView[]; usersFile: string }): WebRoute[] {
  return [
    { method: 'GET', path: '/api/catalogue', roles: CENTER_ROLES, handle: (ctx) => ctx.json(200, { categories: d.categories }) },
    {
      method: 'GET',
      path: '/api/patrol/users',
      roles: ['admin'],
      // Read at each call: an account made with `jifang passwd` shows without a restart.
      handle: async (ctx) => {
        const users = (await readUsersFile(d.usersFile)).filter((u) => u.role === 'patrol').map((u) => u.user);
        ctx.json(200, { users: users.sort() });
      },
    },
  ];
}

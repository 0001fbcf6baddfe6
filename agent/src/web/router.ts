import { HttpError } from './http-error.ts';
import { quoted } from './respond.ts';
import type { Method, WebRoute } from './types.ts';

export interface CompiledRoute {
  route: WebRoute;
  pattern: RegExp;
  names: string[];
}

export function compile(route: WebRoute): CompiledRoute {
  const names: string[] = [];
  const body = route.path
    .split('/')
    .map((seg) => {
      if (seg === '*') {
        names.push('*');
        return '(.+)';
      }
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${body}$`), names };
}

/** The route for `method path` with its decoded parameters; 404, 405 (with Allow) or 400 in words otherwise. */
export function findRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: WebRoute; params: Record<string, string> } {
  const allowed = new Set<Method>();
  for (const c of routes) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { route: c.route, params: decodeParams(c, m) };
    allowed.add(c.route.method);
  }
  if (allowed.size > 0) {
    const allow = [...allowed].join(', ');
    throw new HttpError(405, `method not allowed: use ${allow}`, undefined, { Allow: allow });
  }
  throw new HttpError(404, `not found: ${quoted(path)}`);
}

function decodeParams(c: CompiledRoute, m: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {};
  try {
    c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
  } catch {
    throw new HttpError(400, 'the address is not valid percent-encoding');
  }
  return params;
}

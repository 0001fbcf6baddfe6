/** A signed-in client of a center's API from Node (a dispatcher's or an admin's script): cookie and CSRF token kept. */
export interface CenterSession {
  json<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** The session cookie, for a raw client (an SSE connection). */
  cookie: string;
}

export async function signIn(url: string, user: string, password: string): Promise<CenterSession> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: url },
    body: JSON.stringify({ user, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${user} refused: ${res.status} ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return {
    cookie,
    json: async <T>(method: string, path: string, body?: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: {
          Cookie: cookie,
          Origin: url,
          Accept: 'application/json',
          'X-CSRF-Token': csrf,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

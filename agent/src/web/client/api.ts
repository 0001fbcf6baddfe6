import { currentLang } from './i18n.ts';
/** What the server said when it refused: its words, and problems by field path (as check-config prints them). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: { path: string; message: string }[] = [],
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

let leaving = false;

/**
 * Goes to the login, which brings the user back here. Once: several requests find the session gone together, and each
 * new navigation would abort the one before it.
 */
export function toLogin(): void {
  if (leaving) return;
  leaving = true;
  location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** JSON to and from our own server; every change carries the CSRF token; a lost session goes back to the login. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  // The page's language, so that a refusal comes in it.
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': currentLang() };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const value = text ? (JSON.parse(text) as unknown) : undefined;
  if (res.status === 401 && path !== '/api/login') toLogin();
  if (!res.ok) {
    const v = (value ?? {}) as { error?: string; problems?: { path: string; message: string }[] };
    const retry = res.headers.get('Retry-After');
    throw new ApiError(res.status, v.error ?? res.statusText, v.problems ?? [], retry ? Number(retry) : undefined);
  }
  return value as T;
}

/**
 * Where a login may send the browser next: a page of this server only. `next` is resolved as the browser would
 * resolve it (a backslash is a slash, tabs and new lines are dropped, `//host` and `/\host` name another host),
 * and only a result on `origin` is kept, as a path; anything else gives undefined (the caller goes home).
 */
export function safeNext(next: string | null | undefined, origin: string): string | undefined {
  if (!next?.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return undefined;
  }
  return url.origin === new URL(origin).origin ? url.pathname + url.search + url.hash : undefined;
}

/*
 * The patrol page's service worker (scope /patrol): keeps the app shell (page, script, styles, chime, icons) so the
 * page opens in a dead zone, and the evidence pictures already seen. The API itself is never cached: what the
 * officer does waits in the page's IndexedDB outbox, not here (a service worker may be stopped at any moment).
 * The center prepends `self.JIFANG_SHELL` (this build's version and the shell's addresses).
 */

interface ShellInfo {
  version: string;
  urls: string[];
}

interface FetchEvt extends Event {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ExtendableEvt extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface WorkerScope {
  JIFANG_SHELL: ShellInfo;
  location: Location;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvt) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvt) => void): void;
}

const scope = self as unknown as WorkerScope;
const shell = scope.JIFANG_SHELL;
const SHELL_CACHE = `patrol-shell-${shell.version}`;
const PICTURES = 'patrol-pictures';
/** A network slower than this in a dead zone: the cached shell opens instead. */
const SHELL_WAIT_MS = 4000;

scope.addEventListener('install', (e) => {
  e.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((c) => c.addAll(shell.urls))
      .then(() => scope.skipWaiting()),
  );
});

scope.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('patrol-shell-') && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => scope.clients.claim()),
  );
});

/** The network first (a new build, a fresh CSRF token in the page), the cached copy when it fails or is too slow. */
async function networkFirst(req: Request, key: string): Promise<Response> {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const res = await fetch(req, { signal: AbortSignal.timeout(SHELL_WAIT_MS) });
    if (res.ok && !res.redirected) await cache.put(key, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw err;
  }
}

/** Evidence pictures never change: once seen, shown from the cache (offline too). */
async function cacheFirst(req: Request): Promise<Response> {
  const cache = await caches.open(PICTURES);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

const isPicture = (path: string) =>
  /^\/api\/orders\/[^/]+\/evidence$/.test(path) || /^\/api\/orders\/[^/]+\/photos\/[0-9a-f]{64}$/.test(path);

scope.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== scope.location.origin) return;
  if (shell.urls.includes(url.pathname)) e.respondWith(networkFirst(e.request, url.pathname));
  else if (isPicture(url.pathname)) e.respondWith(cacheFirst(e.request));
});

import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestBrowser } from './browser.ts';

/** A signed-in client of a center's API from Node (a dispatcher's or an admin's script): cookie and CSRF token kept. */
export interface CenterSession {
  json<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** The session cookie and its CSRF token, for a raw client (an SSE connection, a request made by hand). */
  cookie: string;
  csrf: string;
}

export async function signIn(url: string, user: string, password: string): Promise<CenterSession> {
  const res = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: url },
    body: JSON.stringify({ user, password }),
  });
  if (res.status !== 200) throw new Error(`login of ${user} refused: ${res.status} ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  const cookie = /^(jifang_center=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error(`no session cookie in ${res.headers.get('set-cookie')}`);
  return {
    cookie,
    csrf,
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

/** The center's login page in a browser page: user and password typed, submitted; where it lands is the caller's. */
export async function signInPage(page: Page, url: string, user: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#login-submit');
}

/** A fresh page of `browser` (its own cookies) signed in as `user`, on the center's pages once its top bar shows. */
export async function signedInPage(
  browser: TestBrowser,
  url: string,
  user: string,
  password: string,
  opts: Parameters<TestBrowser['page']>[0] = {},
): Promise<Page> {
  const { page } = await browser.page(opts);
  await signInPage(page, url, user, password);
  await page.waitForSelector('nav.top');
  return page;
}

/** The API as `user` (what the officer's phone and the dispatcher's pages do), each call expected to succeed: its body. */
export async function signedInApi(url: string, user: string, password: string) {
  const session = await signIn(url, user, password);
  return async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => {
    const res = await session.json<T>(method, path, body);
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.body;
  };
}

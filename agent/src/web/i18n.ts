import type { IncomingMessage } from 'node:http';

import { LANG_COOKIE, type Lang } from './lang.ts';

export type { Lang, Messages } from './lang.ts';

/** The language chosen on the page (cookie), else the browser's first Chinese or English preference, else Chinese. */
export function pickLang(req: IncomingMessage): Lang {
  return statedLang(req) ?? 'zh';
}

/**
 * The language the request states (the page's cookie, else Accept-Language), or null: a refusal of the API is said
 * in it, and in English to a script that states none.
 */
export function statedLang(req: IncomingMessage): Lang | null {
  const chosen = cookieValue(req, LANG_COOKIE);
  if (chosen === 'zh' || chosen === 'en') return chosen;
  for (const part of (req.headers['accept-language'] ?? '').split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return null;
}

/** The first cookie `name` of the request; one whose value is not valid percent-encoding is as good as absent. */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

import type { Lang } from './lang.ts';
import { webMessages } from './messages.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface PageOptions {
  lang: Lang;
  title: string;
  /** The session's CSRF token, read by the page's script for every change. */
  csrf: string;
  /** Bundled script and style names under /assets/. */
  script: string;
  styles?: string[];
  /** Data the script starts from (JSON in a non-executed script element). */
  data?: unknown;
}

/** The shell every page shares; its script builds the content. */
export function pageHtml(o: PageOptions): string {
  const styles = ['web', ...(o.styles ?? [])].map((s) => `<link rel="stylesheet" href="/assets/${s}.css">`).join('');
  const data =
    o.data === undefined
      ? ''
      : `<script type="application/json" id="page-data">${JSON.stringify(o.data).replace(/</g, '\\u003c')}</script>`;
  return `<!doctype html><html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="csrf-token" content="${escapeHtml(o.csrf)}"><title>${escapeHtml(o.title)}</title>${styles}</head><body><div id="app"></div>${data}<script type="module" src="/assets/${o.script}.js"></script></body></html>`;
}

export function loginPage(lang: Lang, product: string): string {
  const t = (k: keyof typeof webMessages) => escapeHtml(webMessages[k][lang]);
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t('login.title')} · ${escapeHtml(product)}</title><link rel="stylesheet" href="/assets/web.css"></head><body class="login">
<form id="login" class="card" autocomplete="on"><h1>${escapeHtml(product)}</h1>
<label>${t('login.user')}<input name="user" id="user" autocomplete="username" required autofocus></label>
<label>${t('login.password')}<input name="password" id="password" type="password" autocomplete="current-password" required></label>
<p id="login-error" class="error" role="alert"></p>
<button type="submit" id="login-submit">${t('login.submit')}</button>
<button type="button" class="link" id="lang-switch">${t('nav.lang')}</button></form>
<script type="module" src="/assets/login.js"></script></body></html>`;
}

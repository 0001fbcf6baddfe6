import { LANG_COOKIE, type Lang, type Messages } from '../lang.ts';

export function currentLang(): Lang {
  return document.documentElement.lang === 'en' ? 'en' : 'zh';
}

/** `t('key', { s: 5 })` in the page's language; a missing key shows itself rather than nothing. */
export function translator<M extends Messages>(messages: M): (key: keyof M & string, vars?: Record<string, string | number>) => string {
  const lang = currentLang();
  return (key, vars) => {
    const text = messages[key]?.[lang] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : text;
  };
}

export function switchLang(): void {
  const next: Lang = currentLang() === 'zh' ? 'en' : 'zh';
  document.cookie = `${LANG_COOKIE}=${next}; Path=/; SameSite=Strict; Max-Age=31536000`;
  location.reload();
}

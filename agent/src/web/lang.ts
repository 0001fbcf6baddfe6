/** Pages speak Chinese and English: each message is written in both, side by side, so neither can be forgotten. */
export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export type Messages = Record<string, Record<Lang, string>>;

/** Set by the page's language switch; read by the server to render the page in that language. */
export const LANG_COOKIE = 'jifang_lang';

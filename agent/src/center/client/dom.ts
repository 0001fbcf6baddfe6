import { translator } from '../../web/client/i18n.ts';
import { centerMessages } from './messages.ts';

export const t = translator(centerMessages);
export type Key = keyof typeof centerMessages;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
export const svg = (tag: string, attrs: Record<string, string | number>) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};
export const tr = (key: string, vars?: Record<string, string | number>) => (key in centerMessages ? t(key as Key, vars) : key);

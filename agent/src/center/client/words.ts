import { translator } from '../../web/client/i18n.ts';
import { centerMessages } from './messages.ts';

export const t = translator(centerMessages);
export type Key = keyof typeof centerMessages;

/** A word chosen by a value from the server (a state, an action): the value itself when there is no word for it. */
export const tr = (key: string, vars?: Record<string, string | number>) => (key in centerMessages ? t(key as Key, vars) : key);

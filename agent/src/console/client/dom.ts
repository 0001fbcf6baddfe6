import { translator } from '../../web/client/i18n.ts';
import { consoleMessages } from '../messages.ts';

export const t = translator(consoleMessages);
export type Key = keyof typeof consoleMessages;

import { h } from '../../../web/client/dom.ts';
import { type Key, t } from '../words.ts';

/**
 * The admin forms' shared parts: a labelled field with its help and its error beside it, checked as it is typed
 * (the server checks again with the config's own schema and its words go to the same place).
 */
export type Check = (value: string) => Key | null;

export const positive: Check = (v) => (v.trim() === '' || Number(v) > 0 ? null : 'check.positive');
export const attempts: Check = (v) => (v.trim() === '' || (Number.isInteger(Number(v)) && +v >= 1 && +v <= 1000) ? null : 'check.whole');
export const required: Check = (v) => (v.trim() ? null : 'check.required');
export const forwarderId: Check = (v) => (/^[a-z0-9][a-z0-9_-]{0,62}$/.test(v) ? null : 'check.id');
export const webhookUrl: Check = (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? null : 'check.url');

/** A form's fields by the config path the server names in its problems. */
export class FieldErrors {
  private readonly spans = new Map<string, HTMLElement>();
  private readonly checks: { input: HTMLInputElement; path: string; check: Check }[] = [];

  /** The error place of `path`, put beside its field. */
  slot(path: string): HTMLElement {
    const span = h('span', { class: 'field-error', 'data-error-for': path, role: 'alert' });
    this.spans.set(path, span);
    return span;
  }

  /** Checks `input` at each keystroke; a refused value shows its reason and keeps Save from sending. */
  watch(input: HTMLInputElement, path: string, check: Check): void {
    this.checks.push({ input, path, check });
    input.addEventListener('input', () => this.show(path, check(input.value)));
  }

  show(path: string, key: Key | null, text?: string): void {
    const span = this.spans.get(path);
    if (!span) return;
    span.textContent = text ?? (key ? t(key) : '');
    span.closest('.field')?.classList.toggle('invalid', !!span.textContent);
  }

  /** Every field checked now: true when none is refused. */
  valid(): boolean {
    let ok = true;
    for (const c of this.checks) {
      const key = c.check(c.input.value);
      this.show(c.path, key);
      if (key) ok = false;
    }
    return ok;
  }

  clear(): void {
    for (const path of this.spans.keys()) this.show(path, null);
  }

  /** The server's problems beside their fields (`states[0]` and `template.text` go to `states` and `template`); the rest returned. */
  place(problems: readonly { path: string; message: string }[]): string[] {
    const rest: string[] = [];
    for (const p of problems) {
      const field = this.spans.has(p.path) ? p.path : p.path.split(/[.[]/)[0];
      if (this.spans.has(field)) this.show(field, null, p.message);
      else rest.push(`${p.path}: ${p.message}`);
    }
    return rest;
  }
}

/** One labelled field: the words, the input, its help and its error place. */
export function field(words: string, input: HTMLElement, help: string | null, error: HTMLElement): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-name' }, words),
    input,
    help ? h('small', { class: 'help' }, help) : null,
    error,
  );
}

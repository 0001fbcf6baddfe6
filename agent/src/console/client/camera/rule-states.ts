import { clear, h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import { objectsIn } from '../../../web/label-words.ts';
import type { LiveFacts } from '../../wire.ts';
import { t } from '../dom.ts';

type RuleState = LiveFacts['rules'][number];

/** The rules' state beside the picture: idle, or each followed object with its progress towards an alert. */
export function renderRuleStates(list: HTMLElement, facts: LiveFacts | undefined): void {
  clear(list);
  if (!facts?.rules?.length) {
    list.append(h('li', { class: 'muted' }, t('rules.none')));
    return;
  }
  for (const r of facts.rules) {
    if (r.followed.length === 0) list.append(idleItem(r));
    else list.append(...r.followed.map((f) => progressItem(r, f)));
  }
}

function idleItem(r: RuleState): HTMLLIElement {
  return h(
    'li',
    { class: 'muted', 'data-rule': `${r.zone.id}/${r.rule.id}` },
    t('rules.idle', { zone: r.zone.id, rule: r.rule.id }),
    r.open ? '' : ` ${t('rules.closed')}`,
  );
}

function progressItem(r: RuleState, f: RuleState['followed'][number]): HTMLLIElement {
  const elapsed = Math.max(0, Math.round((f.observedAt - f.since) / 1000));
  const text = t('rules.progress', {
    objects: objectsIn(f.objects, currentLang()),
    verb: r.verb[currentLang()],
    elapsed,
    dwell: r.dwellSeconds,
    zone: r.zone.id,
  });
  return h(
    'li',
    { 'data-rule': `${r.zone.id}/${r.rule.id}`, class: f.eventId ? 'alerting' : undefined },
    h('progress', { max: r.dwellSeconds, value: Math.min(elapsed, r.dwellSeconds) }),
    ' ',
    text,
    f.eventId ? h('div', { class: 'small' }, t('rules.event', { id: f.eventId })) : undefined,
  );
}

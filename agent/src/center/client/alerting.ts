import { h } from '../../web/client/dom.ts';
import type { PresentedEvent } from '../wire.ts';
import { categoryText } from './desk/show.ts';
import { seenAt } from './format.ts';
import { eventKey } from './state.ts';
import { t } from './words.ts';

/*
 * How the console tells an operator a new alert came in while he looks elsewhere: the count of unopened alerts in the
 * tab's title, a short tone (mutable, remembered in this browser), and a desktop notification once he allowed them.
 */

const MUTED = 'jifang.center.muted';
const unread = new Set<string>();
const baseTitle = document.title;
/** A crowd raising many alerts at once sounds once, not once per alert. */
const QUIET_MS = 2000;
let lastTone = 0;
let audio: AudioContext | undefined;

const muted = (): boolean => localStorage.getItem(MUTED) === '1';

function showCount(): void {
  document.title = unread.size ? `(${unread.size}) ${baseTitle}` : baseTitle;
}

function tone(): void {
  if (muted() || Date.now() - lastTone < QUIET_MS) return;
  lastTone = Date.now();
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  } catch {
    // A browser without audio output still shows the count and the notification.
  }
}

function notify(e: PresentedEvent, open: (e: PresentedEvent) => void): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  // One notification per rule and place: a crowd replaces its own notice instead of stacking nine.
  const n = new Notification(t('alert.notifyTitle', { type: categoryText(e.type) }), {
    body: `${e.address ?? `${e.lat.toFixed(5)}, ${e.lon.toFixed(5)}`} · ${seenAt(e)}`,
    tag: `${e.site}/${e.camera}/${e.zone}/${e.rule ?? e.type}`,
  });
  n.onclick = () => {
    window.focus();
    open(e);
  };
}

/** A new alert arrived live: counted unread, a tone, a desktop notification. */
export function alertArrived(e: PresentedEvent, open: (e: PresentedEvent) => void): void {
  unread.add(eventKey(e));
  showCount();
  tone();
  notify(e, open);
}

export const isUnread = (e: PresentedEvent): boolean => unread.has(eventKey(e));

/** The operator opened it: no longer counted. */
export function markRead(e: { site: string; id: string }): void {
  if (unread.delete(eventKey(e))) showCount();
}

/** Mute, desktop notifications and "mark all read", for the queue's toolbar. */
export function alertControls(redraw: () => void): HTMLElement {
  const mute = h(
    'button',
    { type: 'button', class: 'secondary', id: 'alert-mute', 'aria-pressed': String(muted()) },
    muted() ? t('alert.unmute') : t('alert.mute'),
  );
  mute.addEventListener('click', () => {
    localStorage.setItem(MUTED, muted() ? '0' : '1');
    // The click is the gesture a browser wants before it plays sound.
    if (!muted()) void (audio ??= new AudioContext()).resume();
    redraw();
  });
  const canAsk = typeof Notification !== 'undefined' && Notification.permission === 'default';
  const ask = canAsk ? h('button', { type: 'button', class: 'secondary', id: 'alert-notify' }, t('alert.enableNotify')) : null;
  ask?.addEventListener('click', () => void Notification.requestPermission().then(redraw));
  const all = unread.size
    ? h('button', { type: 'button', class: 'secondary', id: 'alert-read-all' }, t('alert.readAll', { n: unread.size }))
    : null;
  all?.addEventListener('click', () => {
    unread.clear();
    showCount();
    redraw();
  });
  return h('div', { class: 'alert-controls' }, mute, ask, all);
}

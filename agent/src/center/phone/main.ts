import { api } from '../../web/client/api.ts';
import { atNextFrame, clear, h } from '../../web/client/dom.ts';
import { switchLang } from '../../web/client/i18n.ts';
import type { Order } from '../patrol/schema.ts';
import type { Acting } from './actions.ts';
import { announceTask } from './alert.ts';
import type { TaskBrief } from './brief.ts';
import { openPhoneDb, type PhoneDb } from './idb.ts';
import { connectFeed, csrf, loadBrief, loadSlots, loadTasks, loadUnit, refreshSession } from './live.ts';
import { reportWhileOnDuty, watchPosition } from './position.ts';
import { createSender, type Sender } from './sender.ts';
import type { SlotsAnswer } from './slots.ts';
import { data, state, t } from './state.ts';
import { outboxPanel, statusBar } from './view-bar.ts';
import { listView } from './view-list.ts';
import { slotsView } from './view-slots.ts';
import { taskView } from './view-task.ts';

/* The officer's phone page (/patrol): the chrome, the list or the open task, the live feed, the outbox and the GPS. */

const app = document.getElementById('app')!;
let db: PhoneDb;
let sender: Sender;
let acting: Acting;

function persist(): void {
  void db.set('tasks', [...state.tasks.values()]);
  void db.set('briefs', [...state.briefs.entries()]);
  if (state.slots) void db.set('slots', state.slots);
}

/** The plan changes once a night: read at each (re)connection and every half hour, kept for a dead zone. */
const SLOTS_EVERY_MS = 30 * 60_000;
function refreshSlots(): void {
  loadSlots()
    .then((s) => {
      state.slots = s;
      persist();
      soon();
    })
    .catch(() => {});
}

function brief(id: string): void {
  if (state.briefs.has(id) || !state.live) return;
  loadBrief(id)
    .then((b) => {
      state.briefs.set(id, b);
      persist();
      soon();
    })
    .catch(() => {});
}

async function setDuty(onDuty: boolean): Promise<void> {
  try {
    await api('POST', '/api/patrol/duty', { onDuty });
    state.onDuty = onDuty;
    reportWhileOnDuty();
  } catch (err) {
    alert(t('duty.failed', { error: (err as Error).message }));
  }
  render();
}

/**
 * A finger on the screen: the page is not redrawn under it (a GPS fix arriving between the touch and the release
 * would replace the button, and the tap would be lost); what was held back is drawn after the tap is handled.
 */
const touch = { down: false, missed: false };
addEventListener('pointerdown', () => (touch.down = true), true);
for (const type of ['pointerup', 'pointercancel'])
  addEventListener(
    type,
    () => {
      touch.down = false;
      if (touch.missed) setTimeout(render, 0);
      touch.missed = false;
    },
    true,
  );

function render(): void {
  // Nor while he types the note (he would lose his place): it waits for the blur.
  if (touch.down || document.activeElement?.id === 'note') {
    touch.missed ||= touch.down;
    return;
  }
  const order: Order | undefined = state.open ? state.tasks.get(state.open) : undefined;
  if (state.open && !order) state.open = null;
  const view = order ? taskView(acting, order, render) : null;
  const duty = h(
    'button',
    { class: `big ${state.onDuty ? 'secondary' : 'primary'}`, id: 'duty', onclick: () => void setDuty(!state.onDuty) },
    state.onDuty ? t('duty.off') : t('duty.on'),
  );
  // A task that arrived while another is open: one tap away, whatever is on screen.
  const fresh = [...state.fresh].find((id) => id !== state.open && state.tasks.has(id));
  clear(app);
  app.append(
    statusBar(switchLang),
    fresh ? h('button', { class: 'big new-task', id: 'new-task', onclick: () => openTask(fresh) }, t('tasks.new')) : '',
    outboxPanel(dismiss) ?? '',
    h('main', { class: 'content' }, ...(view ? [view.body] : [listView(openTask), slotsView(render)])),
    h('footer', { class: 'bottom' }, view ? view.footer : h('div', { class: 'actions' }, duty)),
  );
  document.body.dataset.duty = state.unitKnown ? (state.onDuty ? 'on' : 'off') : 'unknown';
}

function dismiss(seq: number): void {
  void db
    .remove(seq)
    .then(() => db.items())
    .then((items) => {
      state.outbox = items;
      render();
    });
}

function openTask(id: string): void {
  state.open = id;
  state.fresh.delete(id);
  brief(id);
  render();
  scrollTo(0, 0);
}

const soon = atNextFrame(render);

function arrived(order: Order, isNew: boolean): void {
  brief(order.id);
  persist();
  if (isNew && order.state === 'dispatched') {
    state.fresh.add(order.id);
    announceTask();
    // The officer's first tap goes to "accept": a new task opens by itself unless he is looking at another one.
    if (state.open === null) openTask(order.id);
  }
  soon();
}

async function reconnected(): Promise<void> {
  state.loginNeeded = false;
  await refreshSession();
  await loadUnit();
  await loadTasks();
  for (const id of state.tasks.keys()) brief(id);
  refreshSlots();
  persist();
  sender.kick();
  reportWhileOnDuty();
  soon();
}

async function restore(store: PhoneDb): Promise<void> {
  state.outbox = await store.items();
  for (const o of (await store.get<Order[]>('tasks')) ?? []) state.tasks.set(o.id, o);
  for (const [id, b] of (await store.get<[string, TaskBrief][]>('briefs')) ?? []) state.briefs.set(id, b);
  state.slots = (await store.get<SlotsAnswer>('slots')) ?? null;
}

async function start(): Promise<void> {
  db = await openPhoneDb(data.user);
  sender = createSender({
    db,
    csrf,
    changed: (items) => {
      state.outbox = items;
      soon();
    },
    loginNeeded: () => {
      state.loginNeeded = true;
      soon();
    },
  });
  acting = { db, sender, changed: () => soon() };
  await restore(db);
  render();
  // An admin may look at the page; only an officer (a member of a unit) has a task feed.
  if (data.role === 'patrol') {
    connectFeed({ task: arrived, changed: soon, reconnected: () => void reconnected().catch(() => soon()) });
    setInterval(refreshSlots, SLOTS_EVERY_MS);
  }
  watchPosition(soon);
  addEventListener('online', () => {
    sender.kick();
    soon();
  });
  addEventListener('offline', soon);
  // Sends what waited while the page was closed (the feed may take a moment to connect, or not at all in a dead zone).
  sender.kick();
  if ('serviceWorker' in navigator) await navigator.serviceWorker.register('/patrol-sw.js', { scope: '/patrol' }).catch(() => undefined);
}

void start();

import { ApiError, api } from '../../../web/client/api.ts';
import { h } from '../../../web/client/dom.ts';
import { currentLang } from '../../../web/client/i18n.ts';
import type { Order } from '../../patrol/schema.ts';
import { categories } from './catalogue.ts';
import { keepOrder } from './live.ts';
import { pointPicker } from './map-pick.ts';
import { sayResult } from './order-detail.ts';
import { uuid } from './show.ts';
import { w } from './words.ts';

/** The server's limit per photo (MAX_PHOTO_BYTES of the patrol schema, not imported: it would bring zod into the page). */
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/**
 * A hotline report by hand: the place clicked on the map, the address in words, the category from the catalogue, a
 * note and photos. The order opens first; photos follow one by one, and one that fails is said, the order kept.
 */
export function manualForm(holder: HTMLElement, opened: (id: string) => void, cancel: () => void): void {
  const picked: { lon: number; lat: number } = { lon: NaN, lat: NaN };
  const pointText = h('p', { id: 'manual-point', class: 'muted' }, w('manual.noPoint'));
  const mapBox = h('div', { class: 'pick-map', id: 'manual-map' });
  const address = h('input', { id: 'manual-address', maxlength: 300 });
  const category = h(
    'select',
    { id: 'manual-category', required: true },
    h('option', { value: '' }, w('manual.pickCategory')),
    ...[...categories.values()]
      .sort((a, b) => (a.code ?? a.id).localeCompare(b.code ?? b.id))
      .map((c) => h('option', { value: c.id }, [c.name[currentLang()], c.code].filter(Boolean).join(' '))),
  );
  const note = h('textarea', { id: 'manual-note', maxlength: 2000, rows: 3 });
  const files = h('input', { id: 'manual-photos', type: 'file', accept: 'image/jpeg', multiple: true });
  const error = h('p', { id: 'manual-error', class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', id: 'manual-submit' }, w('manual.submit'));
  const form = h(
    'form',
    { id: 'manual-form', class: 'manual-form' },
    h('h2', {}, w('manual.title')),
    h('p', { class: 'muted' }, w('manual.mapHint')),
    mapBox,
    pointText,
    h('label', {}, w('manual.address'), address),
    h('label', {}, w('manual.category'), category),
    h('label', {}, w('manual.note'), note),
    h('label', {}, w('manual.photo'), files),
    error,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: cancel }, w('manual.cancel'))),
  );
  holder.replaceChildren(form);
  pointPicker(mapBox, (lon, lat) => {
    Object.assign(picked, { lon, lat });
    pointText.className = '';
    pointText.textContent = w('manual.point', { lat: lat.toFixed(6), lon: lon.toFixed(6) });
  }).catch((err: unknown) => mapBox.replaceChildren(h('p', { class: 'error' }, w('map.none', { error: String(err) }))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const problem = Number.isNaN(picked.lon)
      ? w('manual.needPoint')
      : !category.value
        ? w('manual.needCategory')
        : photoProblem([...(files.files ?? [])]);
    error.textContent = problem ?? '';
    if (problem) return;
    submit.disabled = true;
    const manual = {
      ...picked,
      category: category.value,
      ...(address.value.trim() ? { address: address.value.trim() } : {}),
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
    };
    void openManual(manual, [...(files.files ?? [])]).then(
      (r) => {
        if (r.photoError) sayResult(r.id, false, r.photoError);
        opened(r.id);
      },
      (err: unknown) => {
        submit.disabled = false;
        error.textContent = w('open.failed', { error: err instanceof ApiError ? err.message : String(err) });
      },
    );
  });
}

function photoProblem(list: File[]): string | null {
  for (const f of list) {
    if (f.type !== 'image/jpeg') return w('manual.photoNotJpeg', { name: f.name });
    if (f.size > MAX_PHOTO_BYTES) return w('manual.photoTooBig', { name: f.name });
  }
  return null;
}

async function openManual(
  manual: { lon: number; lat: number; category: string; address?: string; note?: string },
  photos: File[],
): Promise<{ id: string; photoError: string | null }> {
  const { order } = await api<{ order: Order }>('POST', '/api/orders', { manual });
  keepOrder(order);
  for (const f of photos) {
    try {
      await uploadPhoto(order.id, f);
    } catch (err) {
      return { id: order.id, photoError: w('manual.photoFailed', { name: f.name, error: (err as Error).message }) };
    }
  }
  return { id: order.id, photoError: null };
}

/** The photo's JPEG as it is, with a client id so a retried upload is stored once. */
async function uploadPhoto(orderId: string, file: File): Promise<void> {
  const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
  const res = await fetch(`/api/orders/${encodeURIComponent(orderId)}/photos`, {
    method: 'POST',
    headers: { 'Content-Type': 'image/jpeg', 'X-CSRF-Token': csrf, 'X-Client-Id': uuid(), Accept: 'application/json' },
    body: file,
    credentials: 'same-origin',
  });
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText);
}

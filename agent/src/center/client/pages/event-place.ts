import { h } from '../../../web/client/dom.ts';
import { type CenterMap, createMap, mapOrNotice } from '../../../web/client/map/basemap.ts';
import { type PointLayer, pointLayer } from '../../../web/client/map/markers.ts';
import type { ArchivedAlert, PresentedEvent } from '../../wire.ts';
import { objectText } from '../format.ts';
import { t } from '../words.ts';

/*
 * The alert's detail beyond its facts: the picture opened large with its objects listed beside it (numbered in a list,
 * so no label covers another), and where it is on the map.
 */

/** One map for the panel's life: the detail redraws on every live update, and a map is too costly to rebuild each time. */
const holder = h('div', { class: 'place-map', id: 'place-map' });
let placed: Promise<{ cm: CenterMap; layer: PointLayer }> | null = null;

/** The map with the event's place marked and centred; the same element each time. */
export function placeMap(e: PresentedEvent): HTMLElement {
  if (!placed && mapOrNotice(holder)) {
    placed = createMap(holder, { fit: [[e.lon, e.lat]] }).then(async (cm) => {
      await cm.ready;
      return { cm, layer: pointLayer(cm, 'event') };
    });
  }
  void placed?.then(({ cm, layer }) => {
    cm.gl.resize();
    layer.set([{ id: e.id, at: [e.lon, e.lat], className: 'selected', title: e.address ?? e.id, attrs: { 'data-event-id': e.id } }]);
    cm.gl.jumpTo({ center: cm.toMap([e.lon, e.lat]) });
  });
  return holder;
}

/** The picture as a button that opens it large, in a dialog closed by Escape or its button. */
export function enlargeable(src: string, cls: string, a: ArchivedAlert | null): HTMLElement {
  const open = h('button', { type: 'button', class: 'enlarge', title: t('detail.enlarge') }, h('img', { class: cls, src, alt: cls }));
  open.addEventListener('click', () => {
    const close = h('button', { type: 'button', id: 'snapshot-close' }, t('detail.close'));
    const objects = (a?.objects ?? []).map((o) => h('li', {}, `${objectText(o)}${o.plate ? ` · ${o.plate.text}` : ''}`));
    const dialog = h(
      'dialog',
      { class: 'snapshot-large', id: 'snapshot-large' },
      h('img', { src, alt: t('detail.enlarge') }),
      objects.length ? h('ol', { id: 'snapshot-objects' }, ...objects) : null,
      close,
    );
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  });
  return open;
}

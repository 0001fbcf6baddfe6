/** `h('button', { class: 'x', onclick }, 'text', child)`: small DOM builder, text always as text (never HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** `svg('circle', { cx, cy, r })`: an SVG element (the map's drawing), attributes as given. */
export function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}

export function pageData<T>(): T {
  return JSON.parse(document.getElementById('page-data')!.textContent!) as T;
}

/** Repeats `fn` every `ms` while the page is open; a failing round is shown, not fatal. */
export function every(ms: number, fn: () => Promise<void>, onError: (err: unknown) => void): void {
  let running = false;
  const tick = () => {
    if (running || document.hidden) return;
    running = true;
    fn()
      .catch(onError)
      .finally(() => (running = false));
  };
  tick();
  setInterval(tick, ms);
}

/** `draw`, called at most once a frame: live updates arriving together draw once, at the next frame. */
export function atNextFrame(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

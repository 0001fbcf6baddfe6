/** A center's live feed (server-sent events) read as a page's EventSource gets it: each frame's type and data, in order. */
export interface LiveFeed {
  frames: { type: string; data: unknown }[];
  /** The data of the frames of `type` so far. */
  of<T>(type: string): T[];
  stop(): Promise<void>;
}

export async function readLiveFeed(url: string, cookie: string, path = '/api/stream'): Promise<LiveFeed> {
  const res = await fetch(`${url}${path}`, { headers: { cookie } });
  if (res.status !== 200 || !res.body) throw new Error(`${path} answered ${res.status}`);
  const reader = res.body.getReader();
  const frames: LiveFeed['frames'] = [];
  let buf = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !value) return;
      buf += Buffer.from(value).toString();
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (type && data) frames.push({ type, data: JSON.parse(data) });
      }
    }
  })();
  return {
    frames,
    of: <T>(type: string) => frames.filter((f) => f.type === type).map((f) => f.data as T),
    stop: async () => {
      await reader.cancel();
      await reading;
    },
  };
}

import { redact } from '../core/redact.ts';

/** What the supervisor knows about a finished ffmpeg run besides its stderr. */
export interface RunContext {
  /** How long the process ran. */
  elapsedMs: number;
  /** The socket timeout handed to ffmpeg. */
  timeoutMs: number;
}

interface Rule {
  test: RegExp;
  reason: (m: RegExpExecArray, ctx: RunContext) => string;
}

// Ordered: the first rule matching any stderr line names the failure. Texts are ffmpeg 5.x messages seen
// against real RTSP/HTTP servers, files and misconfigured builds.
const rules: Rule[] = [
  { test: /\b401 Unauthorized|authorization failed/i, reason: () => 'unauthorised (401): check the user name and password' },
  { test: /\b403 Forbidden/i, reason: () => 'forbidden (403): this user may not view the stream' },
  { test: /\b404 Not Found/i, reason: () => 'stream not found (404): check the path in the URL' },
  { test: /Connection refused/i, reason: () => 'connection refused: nothing is listening at that address and port' },
  { test: /timed out/i, reason: () => 'timed out: the camera did not answer' },
  { test: /No route to host|Network is unreachable/i, reason: () => 'host unreachable: check the network and the address' },
  {
    test: /Failed to resolve hostname ([^\s:]+)|Name or service not known/i,
    reason: (m) => `host name not found${m[1] ? `: ${m[1]}` : ''}`,
  },
  // The evidence ring's recorder (an output) failing: ffmpeg words it as if the input were unreadable.
  {
    test: /first pts and dts value must be set/i,
    reason: () => 'recording failed: a packet without timestamps reached the evidence ring (the stream is still readable)',
  },
  {
    test: /^(?:av_interleaved_write_frame\(\)|Error muxing a packet[^:]*|Could not write header[^:]*): (.+)/i,
    reason: (m) => `recording failed: ${m[1].trim()}`,
  },
  { test: /No such file or directory/i, reason: () => 'file not found' },
  {
    test: /Unrecognized hwaccel: ([\w-]+)/i,
    reason: (m) => `hardware decoder "${m[1]}" is not available in this ffmpeg build (check inputOptions)`,
  },
  { test: /Unknown decoder '([^']+)'/i, reason: (m) => `decoder "${m[1]}" is not available in this ffmpeg build (check inputOptions)` },
  {
    test: /Decoder \(codec (\w+)\) not found|no decoder found for:?\s*(\w+)|Unsupported codec|Could not find codec parameters|Cannot determine format of input stream/i,
    reason: (m) => `codec unsupported${m[1] || m[2] ? `: ${m[1] || m[2]}` : ''}: ffmpeg cannot decode this stream`,
  },
  // ffmpeg reports an RTSP handshake that ran into its socket timeout as unreadable data.
  {
    test: /Invalid data found when processing input/i,
    reason: (_m, ctx) =>
      ctx.elapsedMs >= ctx.timeoutMs * 0.9 ? 'timed out: the camera did not answer' : 'invalid data: not a stream or file ffmpeg can read',
  },
  {
    test: /(?:Server returned|method \w+ failed:) (\d{3}|[45]XX) ?([^\r\n]*)/i,
    reason: (m) => `server answered ${m[1]}${m[2] ? ` ${m[2].trim()}` : ''}`,
  },
];

/** Turns ffmpeg's stderr into a reason an installer understands; undefined when nothing in it explains a failure. */
export function reasonFromStderr(lines: readonly string[], ctx: RunContext): string | undefined {
  for (const rule of rules) {
    for (const line of lines) {
      const m = rule.test.exec(line);
      if (m) return redact(rule.reason(m, ctx));
    }
  }
  return undefined;
}

export interface Size {
  width: number;
  height: number;
}

/**
 * Follows ffmpeg's verbose log for the sizes that matter: the raw video it writes (must be the analysis size) and the
 * decoded stream feeding the scaler, which ffmpeg re-announces whenever the camera changes resolution mid-stream.
 */
export class FfmpegLogParser {
  output: Size | undefined;
  input: Size | undefined;
  private inOutput = false;

  /** Reads one stderr line; returns the previous and new input size when the stream changed resolution. */
  line(text: string): { from: Size; to: Size } | undefined {
    const graph = /\[graph \d+ input from stream [^\]]*\] w:(\d+) h:(\d+)/.exec(text);
    if (graph) {
      const to = { width: Number(graph[1]), height: Number(graph[2]) };
      const from = this.input;
      this.input = to;
      return from && (from.width !== to.width || from.height !== to.height) ? { from, to } : undefined;
    }
    if (/^Output #0\b/.test(text)) this.inOutput = true;
    else if (this.inOutput && !this.output) {
      const m = /Stream #\d+:\d+.*: Video: rawvideo\b.*?, (\d+)x(\d+)\b/.exec(text);
      if (m) this.output = { width: Number(m[1]), height: Number(m[2]) };
    }
    return undefined;
  }
}

/** Per-frame verbose chatter (rate capping drops) that says nothing about failures. */
export function isFrameChatter(text: string): boolean {
  return text.startsWith('*** ');
}

/**
 * Keeps camera passwords off ffmpeg's command line, which every local user can read (`ps`, /proc/PID/cmdline).
 * An input URL with credentials becomes a one-entry ffconcat list that ffmpeg reads from an inherited pipe (fd 3, 4 …;
 * a socket pair, as Node makes them): it has no name in the file system, and another user cannot open a process's
 * /proc/PID/fd. ffmpeg 5.1 has no
 * other way to take an RTSP password (no option file, no user/password options).
 */

/** Input options of the URL's own demuxer and protocol: inside the list they must travel as `option` lines. */
const perFileOptions = new Set(['-rtsp_transport', '-timeout', '-rw_timeout', '-analyzeduration', '-probesize']);

/** The protocols the wrapped input may use: the list itself comes through `pipe`. */
const protocols = 'pipe,file,rtsp,rtp,srtp,tcp,udp,tls,http,https,httpproxy,crypto,hls';

export interface PrivateArgs {
  args: string[];
  /** Text to write into fd 3, 4 … in order. */
  pipes: string[];
}

/** Any `@` after the scheme: passwords with `/` in them are written unescaped in camera URLs. */
function hasCredentials(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^@]*@/i.test(input);
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Rewrites every `-i URL` whose URL carries credentials; leaves the other arguments as they are. Pure. */
export function hideCredentials(args: readonly string[]): PrivateArgs {
  const out: string[] = [];
  const pipes: string[] = [];
  // Where the options of the input being read start (after the previous input).
  let inputStart = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-i' || i + 1 >= args.length) {
      out.push(args[i]);
      continue;
    }
    const url = args[i + 1];
    if (!hasCredentials(url)) {
      out.push('-i', url);
      i++;
      inputStart = out.length;
      continue;
    }
    const own = out.splice(inputStart);
    const kept: string[] = [];
    const lines = ['ffconcat version 1.0', `file ${quote(url)}`];
    for (let k = 0; k < own.length; k++) {
      if (perFileOptions.has(own[k]) && k + 1 < own.length) {
        lines.push(`option ${own[k].slice(1)} ${own[k + 1]}`);
        k++;
      } else kept.push(own[k]);
    }
    pipes.push(`${lines.join('\n')}\n`);
    out.push(...kept, '-f', 'concat', '-safe', '0', '-protocol_whitelist', protocols, '-i', `pipe:${2 + pipes.length}`);
    i++;
    inputStart = out.length;
  }
  return { args: out, pipes };
}

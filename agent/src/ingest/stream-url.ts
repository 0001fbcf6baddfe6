import { maskUrlPassword } from '../core/redact.ts';

/** Schemes a camera is read with (sourceKind decides how); `file://` is a local file. */
const STREAM_SCHEMES = ['rtsp', 'rtsps', 'http', 'https', 'file'];
/** What a password may not hold raw: each ends the user info, the host, the path or the query early. */
const RESERVED: Record<string, string> = { '/': '%2F', '@': '%40', '#': '%23', '?': '%3F' };
/** `${env:NAME}` and `${file:PATH}` are URL-encoded when expanded: they hold none of the characters above. */
const PLACEHOLDER = /\$\{(?:env|file):[^}]+\}/g;

/**
 * What is wrong with the form of a camera URL as written (before its placeholders are expanded), in words, showing
 * the URL with its password replaced by `***`; undefined when the form is right. A local file path is a right form.
 */
export function streamUrlProblem(written: string): string | undefined {
  const url = written.replace(PLACEHOLDER, 'secret');
  const shown = `got ${maskUrlPassword(written)}`;
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\/\/)/i.exec(url)?.[1]?.toLowerCase();
  const expected = 'expected scheme://user:password@host:port/path, e.g. rtsp://admin:pass@192.168.1.64:554/Streaming/Channels/102';
  if (scheme !== undefined && STREAM_SCHEMES.includes(scheme)) return `"${scheme}:" must be followed by "//": ${expected}; ${shown}`;
  if (scheme !== undefined) return `"${scheme}:" is not a stream scheme (rtsp, rtsps, http, https): ${expected}; ${shown}`;
  const bare = new RegExp(`^(${STREAM_SCHEMES.join('|')})//`, 'i').exec(url)?.[1];
  if (bare) return `the ":" after "${bare}" is missing: ${expected}; ${shown}`;
  if (!url.includes('://')) return url.includes('@') ? `a user or password without a scheme: ${expected}; ${shown}` : undefined;
  return passwordProblem(url.slice(url.indexOf('://') + 3), shown);
}

/** A raw '/', '@', '#' or '?' in the user info of `rest` (the URL after "://"). */
function passwordProblem(rest: string, shown: string): string | undefined {
  const at = rest.lastIndexOf('@');
  if (at < 0) return undefined;
  const userInfo = rest.slice(0, at);
  const colon = userInfo.indexOf(':');
  const user = colon < 0 ? userInfo : userInfo.slice(0, colon);
  const password = colon < 0 ? '' : userInfo.slice(colon + 1);
  // "host:554/path@x": a port and a path holding an '@', not a password.
  if (/[/?#]/.test(user) || /^\d*(?:[/?#]|$)/.test(password)) return undefined;
  const raw = [...new Set([...userInfo].filter((c) => c in RESERVED))];
  if (raw.length === 0) return undefined;
  const how = raw.map((c) => `"${c}" as ${RESERVED[c]}`).join(', ');
  return (
    `the user name or password holds a raw ${raw.map((c) => `"${c}"`).join(', ')}, which ends it early: percent-encode it (${how}) ` +
    `or put the password in \${env:NAME} or \${file:PATH}, which are encoded for you; ${shown}`
  );
}

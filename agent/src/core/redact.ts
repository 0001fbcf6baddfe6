// user:password@ in any URL-like text, and password-style query parameters (Dahua/Hikvision HTTP snapshots use them).
// The password part runs to the last '@' of the authority: cameras accept passwords with a raw '@' in them.
// Every log line passes through here, with strings from the network (a box's message, a request's path): the scan is
// linear in the text's length. A regular expression that looks for the scheme at every position is not (a key of
// "a.a.a…" made it quadratic: 40,000 characters blocked the event loop 2 s).
const passwordParam = /([?&](?:password|passwd|pwd|pass|token|auth)=)[^&\s#'"]*/gi;
/** From just after "://": the user (no '/', '@', ':' or space), ':', the password up to the last '@' before a '/' or space. */
const credentials = /([^\s/@:]*):([^\s/]*)@/y;

/** Removes passwords from text that may contain stream URLs: every log line and message passes through this. */
export function redact(text: string): string {
  return redactUserInfo(text).replace(passwordParam, '$1***');
}

function redactUserInfo(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('://'); at >= 0; ) {
    credentials.lastIndex = at + 3;
    const m = hasScheme(text, at) ? credentials.exec(text) : null;
    if (!m) {
      at = text.indexOf('://', at + 3);
      continue;
    }
    const passwordStart = at + 3 + m[1].length + 1;
    out += `${text.slice(copied, passwordStart)}***`;
    copied = passwordStart + m[2].length;
    at = text.indexOf('://', copied + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
/** '+', '-', '.' */
const schemeChar = (c: number) => isLetter(c) || isDigit(c) || c === 43 || c === 45 || c === 46;
/** `\w`: letters, digits, '_' */
const wordChar = (c: number) => isLetter(c) || isDigit(c) || c === 95;

/**
 * Whether a URL scheme ends at `end`: a letter starting a word (`\b`), then letters, digits, '+', '.' or '-'. The
 * scan back stops at the first character a scheme cannot hold (':' of an earlier "://" among them), so the scans of
 * all "://" in a text together read it at most once.
 */
function hasScheme(text: string, end: number): boolean {
  for (let i = end - 1; i >= 0 && schemeChar(text.charCodeAt(i)); i--) {
    if (isLetter(text.charCodeAt(i)) && (i === 0 || !wordChar(text.charCodeAt(i - 1)))) return true;
  }
  return false;
}

/**
 * A URL as shown to someone who may know where it points but not how to use it: scheme and host only. Webhooks carry
 * their token in the query (DingTalk `access_token=`, WeCom `key=`) or in the path (Feishu `/hook/<token>`).
 */
export function urlHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '…';
  }
}

/**
 * A URL as written in a config, for an error about its form: whatever stands between the user name's ':' and the
 * last '@' is hidden, whatever typo precedes it (`analytics:${env:X}@host`, `rtsp:/user:pass@host`, `rtsp//…`), where
 * redact() looks for a well-formed "scheme://" only. Without a user name, everything up to the '@' is hidden.
 */
export function maskUrlPassword(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return url;
  const slashes = url.indexOf('://');
  const authority = slashes >= 0 && slashes < at ? slashes + 3 : 0;
  const colon = url.indexOf(':', authority);
  const from = colon >= 0 && colon < at ? colon + 1 : authority;
  return `${url.slice(0, from)}***${url.slice(at)}`;
}

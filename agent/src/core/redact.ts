// user:password@ in any URL-like text, and password-style query parameters (Dahua/Hikvision HTTP snapshots use them).
// The password part runs to the last '@' of the authority: cameras accept passwords with a raw '@' in them.
const userInfo = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/]*)@/gi;
const passwordParam = /([?&](?:password|passwd|pwd|pass|token|auth)=)[^&\s#'"]*/gi;

/** Removes passwords from text that may contain stream URLs: every log line and message passes through this. */
export function redact(text: string): string {
  return text.replace(userInfo, '$1$2:***@').replace(passwordParam, '$1***');
}

import { readFileSync } from 'node:fs';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './errors.ts';

/** A config file's text; a file that cannot be read is a ConfigError naming it and the reason. */
export function readConfigFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ConfigError(file, [
      { path: '', message: `cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})` },
    ]);
  }
  return decodeUtf8(file, bytes);
}

/** Parses YAML (or JSON) keeping positions, so later problems can name a line; syntax errors are listed by line and column. */
export function parseYaml(text: string, file: string): { doc: Document.Parsed; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: `line ${pos.line}, column ${pos.col}`, message: `not valid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  return { doc, lineCounter };
}

/** The file's text; bytes that are not UTF-8 (a config saved as GBK, say) are refused with their line, not replaced silently. */
function decodeUtf8(file: string, bytes: Buffer): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    return strict.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, end === -1 ? bytes.length : end);
      try {
        strict.decode(slice);
      } catch {
        throw new ConfigError(file, [
          {
            path: `line ${line}`,
            message: 'not valid UTF-8: expected the config saved as UTF-8 text (re-save it as UTF-8, e.g. iconv -f GBK -t UTF-8)',
          },
        ]);
      }
      if (end === -1) break;
      start = end + 1;
    }
    throw new ConfigError(file, [{ path: '', message: 'not valid UTF-8: expected the config saved as UTF-8 text' }]);
  }
}

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatLineProblem, type IncidentLog, parseIncidentLog } from './incident.ts';

export interface ImportReport {
  file: string;
  records: number;
  added: number;
  duplicates: number;
  /** One `FILE:LINE: field: message (got …)` per skipped line's problem. */
  problems: string[];
}

/** Reads an incident log (CSV or JSON lines) into `log`; records without a source get the file's name. */
export async function importIncidentFile(file: string, log: IncidentLog, source = basename(file)): Promise<ImportReport> {
  const parsed = parseIncidentLog(await readFile(file, 'utf8'), source);
  const { added, duplicates } = log.add(parsed.incidents);
  return { file, records: parsed.records, added, duplicates, problems: parsed.problems.map((p) => formatLineProblem(file, p)) };
}

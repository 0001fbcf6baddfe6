/**
 * Worker entry code. The agent runs its TypeScript through tsx, whose loader hooks are per thread: the worker
 * registers them itself before importing its TypeScript entry.
 */
export function bootstrap(entry: URL): string {
  if (!entry.pathname.endsWith('.ts')) return `import(${JSON.stringify(entry.href)});`;
  const tsx = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
}

import { api } from '../../../web/client/api.ts';
import type { CategoryView } from '../../wire.ts';

/** The catalogue's event types by id, fetched once (they change only when the center restarts). */
export const categories = new Map<string, CategoryView>();

export async function loadCategories(): Promise<void> {
  if (categories.size) return;
  const r = await api<{ categories: CategoryView[] }>('GET', '/api/catalogue');
  for (const c of r.categories) categories.set(c.id, c);
}

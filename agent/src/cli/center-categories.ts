import { builtinCatalogue, type Catalogue } from '../catalogue/load.ts';
import type { CategoryView } from '../center/wire.ts';

/**
 * The catalogue's event types as the center's pages name them. The center may not import a box stage, so the
 * composition root hands it this list.
 */
export function centerCategories(catalogue: Catalogue = builtinCatalogue()): CategoryView[] {
  return catalogue.events.map((e) => ({ id: e.id, name: e.name, code: e.codes.gbt?.code ?? e.codes.legacy?.code ?? null }));
}

// One catalogue entry: the same message in each language, from the same parameters.
export interface Entry<P> {
  en: (p: P) => string;
  fr: (p: P) => string;
}

/** An entry; the English function's parameter type is the entry's (the French one must take the same). */
export const entry = <P extends object = Record<never, never>>(
  en: (p: P) => string,
  fr: (p: P) => string,
): Entry<P> => ({
  en,
  fr,
});

/** A word or name in each language. */
export type Term = { en: string; fr: string };

/** "a, b or c" / "a, b ou c". */
export function anyOfList(items: readonly string[], locale: 'en' | 'fr'): string {
  if (items.length <= 1) return items.join('');
  const last = locale === 'fr' ? ' ou ' : ' or ';
  return `${items.slice(0, -1).join(', ')}${last}${items.at(-1)}`;
}

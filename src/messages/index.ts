// Messages a person reads, in English and French, from one catalogue (catalogue.ts). Services never write prose:
// they throw a DomainError carrying a Message (a catalogue key and its parameters); the GraphQL layer renders it in
// the language the request asked for (Accept-Language) and hands the parameters to clients as they are, so a UI can
// format its own text (a seat limit, a conflicting user, a retry delay).
import Negotiator from 'negotiator';
import { MESSAGES } from './catalogue.js';

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export type MessageKey = keyof typeof MESSAGES;
export type ParamsOf<K extends MessageKey> = Parameters<(typeof MESSAGES)[K]['en']>[0];

/** A message before rendering: what the catalogue says, and the values it says it with. */
export interface Message {
  readonly key: MessageKey;
  readonly params: Readonly<Record<string, unknown>>;
}

/** A message of the catalogue; the parameters are checked against the entry's. */
export function msg<K extends MessageKey>(
  key: K,
  ...[params]: Record<never, never> extends ParamsOf<K> ? [params?: ParamsOf<K>] : [params: ParamsOf<K>]
): Message {
  return { key, params: (params ?? {}) as Record<string, unknown> };
}

export function render(message: Message, locale: Locale = DEFAULT_LOCALE): string {
  const entry = MESSAGES[message.key] as { [L in Locale]: (p: Record<string, unknown>) => string };
  return entry[locale](message.params);
}

/**
 * The language of a request from its Accept-Language header (RFC 9110 §12.5.4, with q-values and ranges: `fr-CA`
 * and `fr;q=0.9, en;q=0.8` answer French); English when absent or when nothing offered matches.
 */
export function localeOf(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const chosen = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language([...LOCALES]);
  return (chosen as Locale | undefined) ?? DEFAULT_LOCALE;
}

// Input rules shared by the services. Each returns the rule a value breaks (a Violation, rendered in English or
// French by messages/violations.ts), or null.

/** A broken input rule, with what a UI needs to say it in its own words. */
export type Violation =
  | { rule: 'required' }
  | { rule: 'tooLong'; max: number }
  | { rule: 'tooShort'; min: number }
  | { rule: 'atMost'; max: number }
  | { rule: 'controlCharacters' }
  | { rule: 'invisibleCharacter'; character: string }
  | { rule: 'characterNotAllowed'; character: string }
  | { rule: 'characterClasses' }
  | { rule: 'domainLabels' }
  | { rule: 'domainLabelCharacters' }
  | { rule: 'upnShape' }
  | { rule: 'aliasTooLong'; max: number }
  | { rule: 'aliasCharacters' }
  | { rule: 'aliasDots' }
  | { rule: 'upnDomain'; domain: Violation }
  | { rule: 'countryFormat' }
  | { rule: 'notCountry'; value: string };

const ALIAS_RE = /^[A-Za-z0-9'_!#^~.-]+$/;
const DOMAIN_LABEL_RE = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function domainNameViolation(domain: string): Violation | null {
  if (domain.length > 253) return { rule: 'tooLong', max: 253 };
  const labels = domain.split('.');
  if (labels.length < 2) return { rule: 'domainLabels' };
  if (!labels.every((l) => DOMAIN_LABEL_RE.test(l))) return { rule: 'domainLabelCharacters' };
  return null;
}

/** UPN shape (Entra): alias@domain, alias ≤ 64 of A-Z a-z 0-9 ' . - _ ! # ^ ~, no leading, trailing or double dot. */
export function upnViolation(upn: string): Violation | null {
  if (upn.length > 113) return { rule: 'tooLong', max: 113 };
  const at = upn.lastIndexOf('@');
  if (at <= 0 || at === upn.length - 1 || upn.indexOf('@') !== at) return { rule: 'upnShape' };
  const alias = upn.slice(0, at);
  if (alias.length > 64) return { rule: 'aliasTooLong', max: 64 };
  if (!ALIAS_RE.test(alias)) return { rule: 'aliasCharacters' };
  if (alias.startsWith('.') || alias.endsWith('.') || alias.includes('..')) return { rule: 'aliasDots' };
  const domainProblem = domainNameViolation(upn.slice(at + 1).toLowerCase());
  return domainProblem ? { rule: 'upnDomain', domain: domainProblem } : null;
}

export function upnDomain(upn: string): string {
  return upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

/** ISO 3166-1 alpha-2, checked against the ICU region list Node ships with. */
export function usageLocationViolation(code: string): Violation | null {
  if (!/^[A-Z]{2}$/.test(code)) return { rule: 'countryFormat' };
  // ICU's look-up costs more than the rest of a createUser's validation: each of the 676 codes is asked once.
  let country = countries.get(code);
  if (country === undefined) countries.set(code, (country = isCountry(code)));
  return country ? null : { rule: 'notCountry', value: code };
}

const countries = new Map<string, boolean>();

function isCountry(code: string): boolean {
  let name: string | undefined;
  try {
    name = regionNames.of(code);
  } catch {
    name = undefined;
  }
  return !!name && name !== code && !NOT_COUNTRIES.has(code);
}

/**
 * Control characters (tab, line feed and carriage return excepted), and invisible, filler or bidirectional-override
 * ones (U+200B, U+202E, U+3164, tag characters, …), which hide or reorder what UIs and audit trails show.
 */
const CONTROL_OR_INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\u{E0000}-\u{E007F}]/u;

/** The first such character as U+XXXX, or null. */
export function forbiddenCharacter(value: string): string | null {
  const m = CONTROL_OR_INVISIBLE.exec(value);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

export function textViolation(value: string, max: number, required: boolean): Violation | null {
  if (required && value.trim() === '') return { rule: 'required' };
  if (value.length > max) return { rule: 'tooLong', max };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
  if (/[\u0000-\u001f\u007f]/.test(value)) return { rule: 'controlCharacters' };
  const invisible = forbiddenCharacter(value);
  if (invisible) return { rule: 'invisibleCharacter', character: invisible };
  return null;
}

/** Text matched literally inside a LIKE pattern. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

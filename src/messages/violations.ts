// How a broken input rule (services/validation.ts) reads in each language: "The display name is longer than 256
// characters." / « Nom d'affichage : dépasse 256 caractères. »
import type { Violation } from '../services/validation.js';
import { entry } from './entry.js';
import { SUBJECTS, type Subject } from './terms.js';

/** The rule as the end of a sentence about its subject, in each language. */
export const violationText = { en, fr };

function en(v: Violation): string {
  switch (v.rule) {
    case 'required':
      return 'is required';
    case 'tooLong':
      return `is longer than ${v.max} characters`;
    case 'tooShort':
      return `must be at least ${v.min} characters`;
    case 'atMost':
      return `must be at most ${v.max} characters`;
    case 'controlCharacters':
      return 'contains control characters';
    case 'invisibleCharacter':
      return `contains an invisible or control character (${v.character})`;
    case 'characterNotAllowed':
      return `must not contain the character "${v.character}"`;
    case 'characterClasses':
      return 'must contain at least three of: lower case, upper case, digits, symbols';
    case 'domainLabels':
      return 'must have at least two labels, like contoso.com';
    case 'domainLabelCharacters':
      return 'has a label that is not letters, digits and hyphens';
    case 'upnShape':
      return 'must be alias@domain';
    case 'aliasTooLong':
      return `has an alias longer than ${v.max} characters`;
    case 'aliasCharacters':
      return "has an alias with characters other than letters, digits and ' . - _ ! # ^ ~";
    case 'aliasDots':
      return 'has an alias that starts or ends with a dot or has two dots in a row';
    case 'upnDomain':
      return `has a domain that ${en(v.domain)}`;
    case 'countryFormat':
      return 'must be an ISO 3166 two-letter country code in capitals, like FR';
    case 'notCountry':
      return `${v.value} is not a country code`;
  }
}

function fr(v: Violation): string {
  switch (v.rule) {
    case 'required':
      return 'obligatoire';
    case 'tooLong':
      return `dépasse ${v.max} caractères`;
    case 'tooShort':
      return `doit compter au moins ${v.min} caractères`;
    case 'atMost':
      return `doit compter au plus ${v.max} caractères`;
    case 'controlCharacters':
      return 'contient des caractères de contrôle';
    case 'invisibleCharacter':
      return `contient un caractère invisible ou de contrôle (${v.character})`;
    case 'characterNotAllowed':
      return `ne doit pas contenir le caractère « ${v.character} »`;
    case 'characterClasses':
      return 'doit contenir au moins trois de ces types : minuscules, majuscules, chiffres, symboles';
    case 'domainLabels':
      return 'doit compter au moins deux niveaux, comme contoso.com';
    case 'domainLabelCharacters':
      return "a un niveau fait d'autre chose que de lettres, de chiffres et de traits d'union";
    case 'upnShape':
      return 'doit être de la forme alias@domaine';
    case 'aliasTooLong':
      return `a un alias de plus de ${v.max} caractères`;
    case 'aliasCharacters':
      return "a un alias avec des caractères autres que lettres, chiffres et ' . - _ ! # ^ ~";
    case 'aliasDots':
      return 'a un alias qui commence ou finit par un point, ou qui a deux points de suite';
    case 'upnDomain':
      return `domaine : ${fr(v.domain)}`;
    case 'countryFormat':
      return 'doit être un code de pays ISO 3166 à deux lettres majuscules, comme FR';
    case 'notCountry':
      return `${v.value} n'est pas un code de pays`;
  }
}

export const VIOLATION_MESSAGES = {
  /** A field's rule: the parameters are the subject (which field) and the rule with its values. */
  'field.violation': entry(
    (p: { subject: Subject } & Violation) => `The ${SUBJECTS[p.subject].en} ${en(p)}.`,
    (p) => `${SUBJECTS[p.subject].fr} : ${fr(p)}.`,
  ),
};

// Messages about a request as a whole, before or around its execution: body limits, cost and budgets, the input
// guard, idempotency keys.
import { entry } from './entry.js';

export const REQUEST_MESSAGES = {
  'requests.lengthRequired': entry(
    () => 'Send a Content-Length header with the request body.',
    () => 'Envoyez un en-tête Content-Length avec le corps de la requête.',
  ),
  'requests.bodyTooLarge': entry(
    (p: { maxBytes: number }) => `The request body is larger than ${p.maxBytes} bytes.`,
    (p) => `Le corps de la requête dépasse ${p.maxBytes} octets.`,
  ),
  'requests.costOverLimit': entry(
    (p: { requested: number | null; limit: number }) =>
      `This request may return up to ${p.requested ?? 'too many'} objects and fields; the limit is ${p.limit}. Ask for smaller pages (first or last) or fewer nested connections.`,
    (p) =>
      `Cette requête peut renvoyer jusqu'à ${p.requested ?? 'trop de'} objets et champs ; la limite est de ${p.limit}. Demandez des pages plus petites (first ou last) ou moins de listes imbriquées.`,
  ),
  'requests.throttled': entry(
    (p: { cost: number; currentlyAvailable: number; restoreRate: number; retryAfterSeconds: number }) =>
      `Throttled: this request costs ${p.cost} points and ${p.currentlyAvailable} are available (they come back at ${p.restoreRate} a second). Retry in ${p.retryAfterSeconds} s.`,
    (p) =>
      `Limite de débit atteinte : cette requête coûte ${p.cost} points et ${p.currentlyAvailable} sont disponibles (ils reviennent au rythme de ${p.restoreRate} par seconde). Réessayez dans ${p.retryAfterSeconds} s.`,
  ),
  'requests.forbiddenCharacter': entry(
    (p: { name: string | null; character: string }) =>
      `${p.name ?? 'A text input'} contains a character that is not allowed (${p.character}): control and invisible characters are refused.`,
    (p) =>
      `${p.name ?? 'Un texte saisi'} contient un caractère non autorisé (${p.character}) : les caractères de contrôle et invisibles sont refusés.`,
  ),
  'requests.badIdempotencyKey': entry(
    () => 'Idempotency-Key must be 1 to 255 printable ASCII characters.',
    () => 'Idempotency-Key doit compter de 1 à 255 caractères ASCII imprimables.',
  ),
  'requests.idempotencyKeyReused': entry(
    () => 'This Idempotency-Key was used with another request body: use a new key for a new request.',
    () =>
      'Cette Idempotency-Key a servi pour un autre corps de requête : utilisez une nouvelle clé pour une nouvelle requête.',
  ),
  'requests.idempotencyKeyInUse': entry(
    () => 'A request with this Idempotency-Key is still running: retry later for its answer.',
    () => 'Une requête avec cette Idempotency-Key est encore en cours : réessayez plus tard pour obtenir sa réponse.',
  ),
};

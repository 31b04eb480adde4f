// Messages of the shared machinery: not found, ids, paging, signing in and the role checks.
import type { DirectoryRole, PartnerRole, PartnerTask, Task } from '../auth/roles.js';
import { entry } from './entry.js';
import {
  DIRECTORY_ROLE_NAMES,
  frPartnerRoles,
  frRoles,
  PARTNER_TASK_TERMS,
  TASK_TERMS,
  THINGS,
  type Thing,
} from './terms.js';

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const COMMON_MESSAGES = {
  'common.notFound': entry(
    (p: { what: Thing }) => `No such ${THINGS[p.what].en}.`,
    (p) => `${THINGS[p.what].fr} introuvable.`,
  ),
  'common.noSuchNode': entry(
    (p: { type: string }) => `No such ${p.type}.`,
    (p) => `${p.type} introuvable.`,
  ),
  'common.internal': entry(
    () => 'An unexpected server error stopped this user; nothing was changed for it.',
    () => "Une erreur inattendue du serveur a arrêté cet utilisateur ; rien n'a été modifié pour lui.",
  ),

  'ids.invalid': entry(
    (p: { path: string }) => `${p.path} is not a valid id.`,
    (p) => `${p.path} n'est pas un identifiant valide.`,
  ),
  'ids.wrongType': entry(
    (p: { name: string; expected: string; actual: string }) =>
      `${p.name} must be the id of a ${p.expected}, not of a ${p.actual}.`,
    (p) => `${p.name} doit être l'identifiant d'un objet ${p.expected}, pas ${p.actual}.`,
  ),
  'ids.notPrincipal': entry(
    (p: { name: string }) => `${p.name} must be the id of an Agent or an Application.`,
    (p) => `${p.name} doit être l'identifiant d'un Agent ou d'une Application.`,
  ),
  'ids.tooMany': entry(
    (p: { max: number; given: number }) => `Ask for ${p.max} ids at most (${p.given} given).`,
    (p) => `Demandez au plus ${p.max} identifiants (${p.given} donnés).`,
  ),

  'paging.badCursor': entry(
    (p: { field: string }) => `The cursor \`${p.field}\` is not one this connection gave out.`,
    (p) => `Le curseur \`${p.field}\` n'a pas été donné par cette liste.`,
  ),
  'paging.size': entry(
    (p: { field: string; max: number }) => `${p.field} must be between 0 and ${p.max}.`,
    (p) => `${p.field} doit être compris entre 0 et ${p.max}.`,
  ),
  'paging.bothDirections': entry(
    () => 'Use first (with after) to page forward or last (with before) backward, not both.',
    () => 'Utilisez first (avec after) pour avancer ou last (avec before) pour reculer, pas les deux.',
  ),

  'auth.tokenRejected': entry(
    () => 'The bearer token is invalid, expired or revoked: sign in again.',
    () => 'Le jeton du porteur est non valide, expiré ou révoqué : reconnectez-vous.',
  ),
  'auth.signInFirst': entry(
    () => 'Sign in first: send Authorization: Bearer <token>.',
    () => "Connectez-vous d'abord : envoyez Authorization: Bearer <jeton>.",
  ),
  'auth.passwordChangeRequired': entry(
    () => 'Your password is temporary: call changePassword before anything else.',
    () => 'Votre mot de passe est temporaire : appelez changePassword avant toute autre chose.',
  ),
  'auth.agentsOnly': entry(
    () => 'Only partner agents may do this.',
    () => 'Seuls les agents du partenaire peuvent faire cela.',
  ),
  'auth.partnerTask': entry(
    (p: { task: PartnerTask; requiredPartnerRoles: readonly PartnerRole[] }) =>
      `To ${PARTNER_TASK_TERMS[p.task].en} you need the partner role ${p.requiredPartnerRoles.join(' or ')}.`,
    (p) =>
      `Pour ${PARTNER_TASK_TERMS[p.task].fr}, il faut le rôle de partenaire ${frPartnerRoles(p.requiredPartnerRoles)}.`,
  ),
  'auth.applicationsManageNoPrincipals': entry(
    () =>
      'Four-eyes rule: applications do not manage agents or applications (a helper application would let one change itself). A person with ACCESS_ADMINISTRATOR must do it.',
    () =>
      "Principe des quatre yeux : une application ne gère ni agents ni applications (une application auxiliaire lui permettrait de se modifier elle-même). Une personne ayant le rôle Administrateur d'accès doit le faire.",
  ),
  'auth.adminAgentRequired': entry(
    (p: { requiredPartnerRoles: readonly PartnerRole[] }) =>
      `This needs the partner role ${p.requiredPartnerRoles.join(' or ')}.`,
    (p) => `Il faut le rôle de partenaire ${frPartnerRoles(p.requiredPartnerRoles)}.`,
  ),
  'auth.customerTask': entry(
    (p: { task: Task; requiredRoles: readonly DirectoryRole[] }) =>
      `To ${TASK_TERMS[p.task].en} you need one of: ${p.requiredRoles.join(', ')}.`,
    (p) => `Pour ${TASK_TERMS[p.task].fr}, il faut l'un de ces rôles : ${frRoles(p.requiredRoles)}.`,
  ),
  /** The who-can-reset table refused: the target holds a role the caller's roles cannot act on. */
  'auth.target': entry(
    (p: { task: Task; targetRole: DirectoryRole | null; requiredRoles: readonly DirectoryRole[] }) => {
      const needs = p.requiredRoles.filter((r) => r !== 'GLOBAL_ADMINISTRATOR').join(' or ') || 'GLOBAL_ADMINISTRATOR';
      const rule = `target holds ${p.targetRole}; ${p.task === 'RESET_PASSWORD' ? 'resetting its password' : `to ${TASK_TERMS[p.task].en} on it you`} need${p.task === 'RESET_PASSWORD' ? 's' : ''} ${needs}`;
      return `${capitalized(rule)}.`;
    },
    (p) => {
      const needs = p.requiredRoles.filter((r) => r !== 'GLOBAL_ADMINISTRATOR');
      const what = p.task === 'RESET_PASSWORD' ? 'réinitialiser son mot de passe' : TASK_TERMS[p.task].fr;
      return `L'utilisateur visé a le rôle ${p.targetRole ? DIRECTORY_ROLE_NAMES[p.targetRole].fr : '?'} : pour ${what}, il faut le rôle ${needs.length ? frRoles(needs) : DIRECTORY_ROLE_NAMES.GLOBAL_ADMINISTRATOR.fr}.`;
    },
  ),
};

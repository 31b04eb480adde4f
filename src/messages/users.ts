// Messages of the users area: creating, changing, deleting and restoring users, their seats and licences, and why
// viewerCan says no.
import type { DirectoryRole, PartnerRole, Task } from '../auth/roles.js';
import { entry, type Term } from './entry.js';
import { frRoles, PARTNER_ROLE_NAMES, SUBJECTS, TASK_TERMS } from './terms.js';

/** The part of a user mutation a task covers, as the refusal names it ("Changing licenses means to …"). */
export const USER_PARTS = {
  roles: { en: 'roles', fr: 'les rôles' },
  'admin roles': { en: 'admin roles', fr: "les rôles d'administrateur" },
  licenses: { en: 'licenses', fr: 'les licences' },
  licenseSkuIds: { en: 'licenseSkuIds', fr: 'les licences' },
  'user info': { en: 'user info', fr: "les informations de l'utilisateur" },
} as const satisfies Record<string, Term>;
export type UserPart = keyof typeof USER_PARTS;

export const USER_MESSAGES = {
  // input.ts: the rules of a user's fields, its user principal name and its roles.
  'users.alternateEmailShape': entry(
    () => 'The alternate email must look like name@example.com.',
    () => `${SUBJECTS.alternateEmail.fr} : doit être de la forme nom@example.com.`,
  ),
  'users.domainNotVerified': entry(
    (p: { domain: string }) => `The domain ${p.domain} is not a verified domain of this customer.`,
    (p) => `Le domaine ${p.domain} n'est pas un domaine vérifié de ce client.`,
  ),
  'users.upnTaken': entry(
    (p: { userPrincipalName: string }) => `The user principal name ${p.userPrincipalName} is already taken.`,
    (p) => `Le nom d'utilisateur ${p.userPrincipalName} est déjà utilisé.`,
  ),
  /** The UPN belongs to an active user, named (its id is in the error's details: conflictingUserId). */
  'users.upnHeld': entry(
    (p: { userPrincipalName: string; conflictingDisplayName: string; conflictingUserPrincipalName: string }) =>
      `The user principal name ${p.userPrincipalName} is held by the active user ${p.conflictingDisplayName} (${p.conflictingUserPrincipalName}).`,
    (p) =>
      `Le nom d'utilisateur ${p.userPrincipalName} est déjà attribué à l'utilisateur actif ${p.conflictingDisplayName} (${p.conflictingUserPrincipalName}).`,
  ),
  'users.unknownRole': entry(
    (p: { role: string }) => `${p.role} is not a directory role.`,
    (p) => `${p.role} n'est pas un rôle d'annuaire.`,
  ),

  // parts.ts: a part of a mutation (roles, licences, info) refused for want of its task's roles.
  'users.partForbidden': entry(
    (p: { part: UserPart; task: Task; requiredRoles: readonly DirectoryRole[] }) =>
      `Changing ${USER_PARTS[p.part].en} means to ${TASK_TERMS[p.task].en}: you need one of: ${p.requiredRoles.join(', ')}.`,
    (p) =>
      `Modifier ${USER_PARTS[p.part].fr} revient à ${TASK_TERMS[p.task].fr} : il faut l'un de ces rôles : ${frRoles(p.requiredRoles)}.`,
  ),

  // many.ts: deleteUsers and restoreUsers.
  'users.tooManyIds': entry(
    (p: { max: number; given: number }) => `At most ${p.max} users at once.`,
    (p) => `Indiquez au plus ${p.max} utilisateurs à la fois (${p.given} indiqués).`,
  ),

  // create.ts and update.ts
  'users.usageLocationBeforeLicenses': entry(
    () => 'A usage location is required before licences can be assigned.',
    () => "Un emplacement d'utilisation est obligatoire pour pouvoir attribuer des licences.",
  ),
  'users.usageLocationWhileLicensed': entry(
    () => 'A usage location is required while the user has licences.',
    () => "Un emplacement d'utilisation est obligatoire tant que l'utilisateur a des licences.",
  ),
  'users.licenseAddedAndRemoved': entry(
    (p: { partNumber: string }) => `${p.partNumber} is both added and removed.`,
    (p) => `${p.partNumber} est à la fois ajoutée et retirée.`,
  ),

  // The state a mutation needs the user in (update, delete, reset-password, restore).
  'users.deletedRestoreFirst': entry(
    (p: { userPrincipalName: string }) => `${p.userPrincipalName} is deleted; restore it first.`,
    (p) => `L'utilisateur ${p.userPrincipalName} est supprimé ; restaurez-le d'abord.`,
  ),
  'users.alreadyDeleted': entry(
    (p: { userPrincipalName: string }) => `${p.userPrincipalName} is already deleted.`,
    (p) => `L'utilisateur ${p.userPrincipalName} est déjà supprimé.`,
  ),
  'users.isDeleted': entry(
    (p: { userPrincipalName: string }) => `${p.userPrincipalName} is deleted.`,
    (p) => `L'utilisateur ${p.userPrincipalName} est supprimé.`,
  ),
  'users.notDeleted': entry(
    (p: { userPrincipalName: string }) => `${p.userPrincipalName} is not deleted.`,
    (p) => `L'utilisateur ${p.userPrincipalName} n'est pas supprimé.`,
  ),
  'users.restoreWindowPassed': entry(
    (p: { userPrincipalName: string; days: number }) =>
      `${p.userPrincipalName} was deleted more than ${p.days} days ago and can no longer be restored.`,
    (p) =>
      `L'utilisateur ${p.userPrincipalName} a été supprimé il y a plus de ${p.days} jours et ne peut plus être restauré.`,
  ),

  // read.ts
  'users.syncWithOrderBy': entry(
    () => 'A sync (filter.updatedSince) is in the order of changes: leave orderBy out.',
    () => "Une synchronisation (filter.updatedSince) suit l'ordre des modifications : omettez orderBy.",
  ),

  // seats.ts and skus.ts
  'users.notSubscribed': entry(
    (p: { skuName: string; partNumber: string }) =>
      `The customer has no subscription for ${p.skuName} (${p.partNumber}).`,
    (p) => `Le client n'a pas d'abonnement à ${p.skuName} (${p.partNumber}).`,
  ),
  'users.noSeats': entry(
    (p: { skuName: string; partNumber: string; total: number }) =>
      `No seat left for ${p.skuName} (${p.partNumber}): all ${p.total} are assigned.`,
    (p) =>
      `Plus aucun siège disponible pour ${p.skuName} (${p.partNumber}) : tous les sièges (${p.total}) sont attribués.`,
  ),
  'users.unknownSku': entry(
    () => 'One of the SKU ids is not a product in the catalogue.',
    () => "L'un des identifiants de SKU ne correspond à aucun produit du catalogue.",
  ),

  // capabilities.ts (viewerCan): why a button is missing.
  'users.canNeedPartnerRole': entry(
    (p: { partnerRole: PartnerRole }) =>
      `Customer work needs the partner role ${PARTNER_ROLE_NAMES[p.partnerRole].en} (${p.partnerRole}).`,
    (p) =>
      `Pour travailler dans un client, il faut le rôle de partenaire ${PARTNER_ROLE_NAMES[p.partnerRole].fr} (${p.partnerRole}).`,
  ),
  'users.canNeedRolesOnUser': entry(
    (p: { userPrincipalName: string; requiredRoles: readonly DirectoryRole[] }) =>
      `${p.userPrincipalName} holds admin roles: for this user you need one of ${p.requiredRoles.join(', ')}.`,
    (p) =>
      `L'utilisateur ${p.userPrincipalName} a des rôles d'administrateur : pour cet utilisateur, il faut l'un de ces rôles : ${frRoles(p.requiredRoles)}.`,
  ),
  'users.canNeedRoles': entry(
    (p: { task: Task; requiredRoles: readonly DirectoryRole[] }) =>
      `To ${TASK_TERMS[p.task].en} you need one of ${p.requiredRoles.join(', ')}.`,
    (p) => `Pour ${TASK_TERMS[p.task].fr}, il faut l'un de ces rôles : ${frRoles(p.requiredRoles)}.`,
  ),
  'users.canAgentsOnly': entry(
    () => 'Only partner agents manage customers and their users.',
    () => 'Seuls les agents du partenaire gèrent les clients et leurs utilisateurs.',
  ),
  'users.canRestoreFirst': entry(
    () => 'The user is deleted: restore it first.',
    () => "L'utilisateur est supprimé : restaurez-le d'abord.",
  ),
  'users.canNotDeleted': entry(
    () => 'The user is not deleted.',
    () => "L'utilisateur n'est pas supprimé.",
  ),
};

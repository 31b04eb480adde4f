// Messages of the partner area: agents and applications, security groups and just-in-time activations, GDAP
// relationships, customers, webhooks. Field rules (a display name too long, a weak password) are field.violation.
import type { DirectoryRole } from '../auth/roles.js';
import type { ACTIVATION_STATUSES, GDAP_STATUSES, PRINCIPAL_KINDS } from '../db/schema.js';
import { entry } from './entry.js';
import { DIRECTORY_ROLE_NAMES } from './terms.js';

type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];
type ActivationStatus = (typeof ACTIVATION_STATUSES)[number];
type RelationshipStatus = (typeof GDAP_STATUSES)[number];

/** The four-eyes refusals: the rule, then who must do it instead. */
const ANOTHER_ADMIN = {
  en: 'Another access administrator must do it.',
  fr: "Un autre administrateur d'accès doit le faire.",
};
const fourEyesEn = (rule: string, remedy = ANOTHER_ADMIN.en) => `Four-eyes rule: ${rule} ${remedy}`;
const fourEyesFr = (rule: string, remedy = ANOTHER_ADMIN.fr) => `Principe des quatre yeux : ${rule} ${remedy}`;

/** "L'agent x" / "L'application x" (French agrees with the kind). */
const frPrincipal = (kind: PrincipalKind, name: string) => `${kind === 'AGENT' ? "L'agent" : "L'application"} ${name}`;
const frAgreed = (kind: PrincipalKind, word: string) => (kind === 'AGENT' ? word : `${word}e`);

const ACTIVATION_STATUS_FR: Record<ActivationStatus, string> = {
  PENDING_APPROVAL: "en attente d'approbation",
  APPROVED: 'approuvée',
  DENIED: 'refusée',
  REVOKED: 'révoquée',
};

const RELATIONSHIP_STATUS_FR: Record<RelationshipStatus, string> = {
  APPROVAL_PENDING: "en attente d'approbation",
  ACTIVE: 'active',
  EXPIRED: 'expirée',
  TERMINATED: 'résiliée',
};

/** 1000000 as "1 000 000". */
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

export const PARTNER_MESSAGES = {
  // agents.ts (agents and applications alike)
  'partner.rolesRequired': entry(
    () => 'Give the agent at least one partner role.',
    () => "Attribuez au moins un rôle de partenaire à l'agent.",
  ),
  'partner.unknownPartnerRole': entry(
    (p: { role: string }) => `${p.role} is not a partner role.`,
    (p) => `${p.role} n'est pas un rôle de partenaire.`,
  ),
  'partner.emailShape': entry(
    () => 'The email must look like name@example.com.',
    () => "L'adresse e-mail doit être de la forme nom@example.com.",
  ),
  'partner.emailOnCustomerDomain': entry(
    (p: { domain: string }) =>
      `The domain ${p.domain} is not available for agents' emails: use one on your own domain.`,
    (p) =>
      `Le domaine ${p.domain} n'est pas disponible pour les adresses e-mail des agents : utilisez une adresse de votre propre domaine.`,
  ),
  'partner.emailTaken': entry(
    (p: { email: string }) => `${p.email} is not available: choose another email.`,
    (p) => `${p.email} n'est pas disponible : choisissez une autre adresse e-mail.`,
  ),
  /** The change would leave the partner without an enabled ACCESS_ADMINISTRATOR agent. */
  'partner.lastAccessAdministrator': entry(
    (p: { name: string; change: 'disable' | 'delete' | 'removeRole' }) => {
      const what = { disable: 'disabling it', delete: 'deleting it', removeRole: 'removing ACCESS_ADMINISTRATOR' }[
        p.change
      ];
      return `${p.name} is the partner's last enabled ACCESS_ADMINISTRATOR: ${what} would leave nobody to manage access. Give the role to another agent first.`;
    },
    (p) => {
      const what = { disable: 'le désactiver', delete: 'le supprimer', removeRole: 'lui retirer ce rôle' }[p.change];
      return `${p.name} est le dernier agent activé du partenaire ayant le rôle Administrateur d'accès : ${what} ne laisserait personne pour gérer les accès. Attribuez d'abord ce rôle à un autre agent.`;
    },
  ),
  'partner.alreadyDisabled': entry(
    (p: { kind: PrincipalKind; name: string }) => `${p.name} is already disabled.`,
    (p) => `${frPrincipal(p.kind, p.name)} est déjà ${frAgreed(p.kind, 'désactivé')}.`,
  ),
  'partner.alreadyEnabled': entry(
    (p: { kind: PrincipalKind; name: string }) => `${p.name} is already enabled.`,
    (p) => `${frPrincipal(p.kind, p.name)} est déjà ${frAgreed(p.kind, 'activé')}.`,
  ),
  'partner.fourEyesOwnRoles': entry(
    () => fourEyesEn('no one changes its own partner roles.'),
    () => fourEyesFr('personne ne modifie ses propres rôles de partenaire.'),
  ),
  'partner.fourEyesDisableSelf': entry(
    () => fourEyesEn('no one disables itself.'),
    () => fourEyesFr('personne ne se désactive soi-même.'),
  ),
  'partner.fourEyesEnableSelf': entry(
    () => fourEyesEn('no one enables itself.'),
    () => fourEyesFr("personne ne s'active soi-même."),
  ),
  'partner.fourEyesDeleteSelf': entry(
    () => fourEyesEn('no one deletes itself.'),
    () => fourEyesFr('personne ne se supprime soi-même.'),
  ),
  'partner.fourEyesResetOwnPassword': entry(
    () => fourEyesEn('no one resets its own password this way; use changePassword.'),
    () => fourEyesFr('personne ne réinitialise son propre mot de passe de cette façon ; utilisez changePassword.'),
  ),
  'partner.fourEyesResetAccessAdministratorPassword': entry(
    () =>
      fourEyesEn(
        "no access administrator resets another one's password (it could then act as both).",
        'The server operator does it: npm run reset-agent-password -- <email>.',
      ),
    () =>
      fourEyesFr(
        "aucun administrateur d'accès ne réinitialise le mot de passe d'un autre (il pourrait alors agir comme les deux).",
        "C'est l'opérateur du serveur qui le fait : npm run reset-agent-password -- <adresse e-mail>.",
      ),
  ),

  // applications.ts
  'partner.secretLifetime': entry(
    (p: { maxDays: number }) => `A secret lives from 1 to ${p.maxDays} days.`,
    (p) => `Un secret client est valide de 1 à ${p.maxDays} jours.`,
  ),
  'partner.tooManySecrets': entry(
    (p: { displayName: string; max: number }) =>
      `${p.displayName} already has ${p.max} live secrets: remove one first.`,
    (p) => `L'application ${p.displayName} a déjà ${p.max} secrets client valides : supprimez-en un d'abord.`,
  ),
  'partner.fourEyesAddOwnSecret': entry(
    () => fourEyesEn('no application adds a secret to itself.'),
    () => fourEyesFr("aucune application ne s'ajoute elle-même un secret client."),
  ),
  'partner.fourEyesRemoveOwnSecret': entry(
    () => fourEyesEn('no application manages its own secrets: an access administrator removes a leaked one.'),
    () =>
      fourEyesFr(
        "aucune application ne gère ses propres secrets client : un administrateur d'accès supprime un secret divulgué.",
      ),
  ),
  'partner.invalidKeyId': entry(
    () => 'keyId is not a valid key id.',
    () => "keyId n'est pas un identifiant de clé valide.",
  ),

  // security-groups.ts
  'partner.groupNameTaken': entry(
    (p: { name: string }) => `A group named ${p.name} exists.`,
    (p) => `Un groupe de sécurité nommé ${p.name} existe déjà.`,
  ),
  'partner.activationLength': entry(
    (p: { minMinutes: number; maxHours: number }) =>
      `An activation lasts from ${p.minMinutes} minutes to ${p.maxHours} hours.`,
    (p) => `Une activation dure de ${p.minMinutes} minutes à ${p.maxHours} heures.`,
  ),
  'partner.fourEyesDeleteOwnGroup': entry(
    () => fourEyesEn('no one deletes a group it is a member of.'),
    () => fourEyesFr('personne ne supprime un groupe dont il est membre.'),
  ),
  'partner.fourEyesOwnGroupSettings': entry(
    (p: { groupName: string }) =>
      fourEyesEn(`no one changes the settings of a group it is a member of (${p.groupName}).`),
    (p) => fourEyesFr(`personne ne modifie les paramètres d'un groupe dont il est membre (${p.groupName}).`),
  ),
  'partner.fourEyesAddSelfToGroup': entry(
    () => fourEyesEn('no one adds itself to a security group.'),
    () => fourEyesFr("personne ne s'ajoute soi-même à un groupe de sécurité."),
  ),
  'partner.fourEyesRemoveSelfFromGroup': entry(
    () => fourEyesEn('no one removes itself from a security group.'),
    () => fourEyesFr("personne ne se retire soi-même d'un groupe de sécurité."),
  ),
  'partner.applicationNotEligible': entry(
    () => 'An application is an ACTIVE member or none: only agents are ELIGIBLE.',
    () => "Une application est membre ACTIVE ou n'est pas membre : seuls les agents peuvent être ELIGIBLE.",
  ),

  // activations.ts
  'partner.accountDisabled': entry(
    () => 'Your account was disabled: sign in again once enabled.',
    () => "Votre compte a été désactivé : reconnectez-vous une fois qu'il sera réactivé.",
  ),
  'partner.notEligible': entry(
    () => 'You are not eligible for this group: an access administrator must make you an eligible member first.',
    () =>
      "Vous n'êtes pas éligible pour ce groupe : un administrateur d'accès doit d'abord faire de vous un membre éligible.",
  ),
  'partner.permanentMember': entry(
    (p: { groupName: string }) => `You are a permanent member of ${p.groupName}: there is nothing to activate.`,
    (p) => `Vous êtes membre permanent du groupe ${p.groupName} : il n'y a rien à activer.`,
  ),
  'partner.activationMinutes': entry(
    (p: { groupName: string; maxMinutes: number }) =>
      `${p.groupName} allows activations of 1 to ${p.maxMinutes} minutes.`,
    (p) => `Le groupe ${p.groupName} autorise des activations de 1 à ${p.maxMinutes} minutes.`,
  ),
  'partner.membershipActiveUntil': entry(
    (p: { groupName: string; endsAt: string }) => `Your membership of ${p.groupName} is active until ${p.endsAt}.`,
    (p) => `Votre appartenance au groupe ${p.groupName} est active jusqu'à ${p.endsAt}.`,
  ),
  'partner.activationPending': entry(
    (p: { groupName: string }) => `Your activation of ${p.groupName} is waiting for approval.`,
    (p) => `Votre activation du groupe ${p.groupName} est en attente d'approbation.`,
  ),
  'partner.fourEyesApproveOwnActivation': entry(
    () => fourEyesEn('no one approves its own activation.'),
    () => fourEyesFr("personne n'approuve sa propre activation."),
  ),
  'partner.fourEyesDenyOwnActivation': entry(
    () => fourEyesEn('no one denies its own activation.'),
    () => fourEyesFr('personne ne refuse sa propre activation.'),
  ),
  'partner.activationAlreadyDecided': entry(
    (p: { status: ActivationStatus }) => `The activation is already ${p.status}.`,
    (p) => `L'activation est déjà ${ACTIVATION_STATUS_FR[p.status]}.`,
  ),
  'partner.requesterNoLongerEligible': entry(
    () => 'The requester is no longer an enabled eligible member of the group.',
    () => "Le demandeur n'est plus un membre éligible et activé du groupe.",
  ),
  'partner.activationLapsed': entry(
    (p: { hours: number }) => `The request lapsed: nobody decided within ${p.hours} hours. The agent can ask again.`,
    (p) => `La demande a expiré : personne n'a statué dans les ${p.hours} heures. L'agent peut la renouveler.`,
  ),

  // gdap.ts
  'partner.relationshipRolesRequired': entry(
    () => 'A relationship carries at least one role.',
    () => 'Une relation GDAP comporte au moins un rôle.',
  ),
  'partner.unknownDirectoryRole': entry(
    (p: { role: string }) => `${p.role} is not a directory role.`,
    (p) => `${p.role} n'est pas un rôle d'annuaire.`,
  ),
  'partner.relationshipDuration': entry(
    (p: { maxDays: number }) => `The duration must be from 1 day to ${p.maxDays} days (2 years).`,
    (p) => `La durée doit être comprise entre 1 jour et ${p.maxDays} jours (2 ans).`,
  ),
  'partner.globalAdministratorNoAutoExtend': entry(
    () => 'A relationship carrying GLOBAL_ADMINISTRATOR cannot auto-extend.',
    () =>
      `Une relation comportant le rôle ${DIRECTORY_ROLE_NAMES.GLOBAL_ADMINISTRATOR.fr} ne peut pas être prolongée automatiquement.`,
  ),
  'partner.relationshipNameTaken': entry(
    (p: { displayName: string }) => `A relationship named ${p.displayName} exists.`,
    (p) => `Une relation GDAP nommée ${p.displayName} existe déjà.`,
  ),
  'partner.approvalTokenNotYours': entry(
    () => 'This approval token is not one for your organisation.',
    () => "Ce jeton d'approbation n'est pas destiné à votre organisation.",
  ),
  'partner.approvalNeedsGlobalAdministrator': entry(
    () => 'Only a Global Administrator of the customer may approve a GDAP relationship.',
    () => `Seul un ${DIRECTORY_ROLE_NAMES.GLOBAL_ADMINISTRATOR.fr} du client peut approuver une relation GDAP.`,
  ),
  'partner.relationshipNotPending': entry(
    (p: { status: RelationshipStatus }) => `The relationship is ${p.status}, not waiting for approval.`,
    (p) => `La relation GDAP est ${RELATIONSHIP_STATUS_FR[p.status]} : elle n'attend pas d'approbation.`,
  ),
  'partner.relationshipChangedMeanwhile': entry(
    () => 'The relationship was approved or terminated meanwhile.',
    () => 'La relation GDAP a été approuvée ou résiliée entre-temps.',
  ),
  'partner.assignRolesRequired': entry(
    () => 'Assign at least one role.',
    () => 'Attribuez au moins un rôle.',
  ),
  'partner.rolesOutsideRelationship': entry(
    (p: { roles: readonly DirectoryRole[] }) => `The relationship does not carry ${p.roles.join(', ')}.`,
    (p) =>
      `La relation GDAP ne comporte pas ${p.roles.length > 1 ? 'les rôles' : 'le rôle'} ${p.roles.map((r) => DIRECTORY_ROLE_NAMES[r].fr).join(', ')}.`,
  ),
  'partner.relationshipTerminated': entry(
    () => 'The relationship is terminated.',
    () => 'La relation GDAP est résiliée.',
  ),
  'partner.relationshipAlreadyTerminated': entry(
    () => 'The relationship is already terminated.',
    () => 'La relation GDAP est déjà résiliée.',
  ),
  'partner.groupHoldsNoRoles': entry(
    (p: { groupName: string }) => `${p.groupName} holds no roles in this relationship.`,
    (p) => `Le groupe ${p.groupName} n'a aucun rôle dans cette relation GDAP.`,
  ),
  'partner.fourEyesOwnGroupGdapRoles': entry(
    (p: { groupName: string }) =>
      fourEyesEn(`no one changes the GDAP roles of a group it is a member of (${p.groupName}).`),
    (p) => fourEyesFr(`personne ne modifie les rôles GDAP d'un groupe dont il est membre (${p.groupName}).`),
  ),

  // customers.ts
  'partner.domainTaken': entry(
    (p: { domain: string }) => `The domain ${p.domain} is not available: choose another.`,
    (p) => `Le domaine ${p.domain} n'est pas disponible : choisissez-en un autre.`,
  ),
  'partner.seatsRange': entry(
    (p: { max: number }) => `Seats must be a whole number from 1 to ${grouped(p.max)}.`,
    (p) => `Le nombre de sièges doit être un nombre entier de 1 à ${grouped(p.max)}.`,
  ),
  'partner.unknownSku': entry(
    (_p: { skuId: string }) => 'No product has this SKU id.',
    () => "Aucun produit n'a cet ID de SKU.",
  ),

  // webhooks.ts
  'partner.webhookUrlNotAbsolute': entry(
    () => 'The URL is not a valid absolute URL.',
    () => "L'URL n'est pas une URL absolue valide.",
  ),
  'partner.webhookUrlNotHttps': entry(
    () => 'The URL must use https.',
    () => "L'URL doit utiliser https.",
  ),
  'partner.webhookUrlCredentials': entry(
    () => 'The URL must not carry credentials.',
    () => "L'URL ne doit pas contenir d'informations d'identification.",
  ),
  'partner.webhookUrlNotPublic': entry(
    () => 'The URL must point to a public address.',
    () => "L'URL doit pointer vers une adresse publique.",
  ),
  'partner.eventTypesRequired': entry(
    () => 'Choose at least one event type.',
    () => "Choisissez au moins un type d'événement.",
  ),
  'partner.unknownEventType': entry(
    (p: { eventType: string }) => `${p.eventType} is not an event type.`,
    (p) => `${p.eventType} n'est pas un type d'événement.`,
  ),
};

// The words messages are made of, in English and French: directory and partner roles (Microsoft's French names, as
// Partner Center and the Entra admin center show them), tasks, and the input fields a message can name.
import {
  DIRECTORY_ROLE_INFO,
  DIRECTORY_ROLES,
  type DirectoryRole,
  PARTNER_ROLE_INFO,
  PARTNER_ROLES,
  PARTNER_TASKS,
  type PartnerRole,
  type PartnerTask,
  TASKS,
  type Task,
} from '../auth/roles.js';
import { anyOfList, type Term } from './entry.js';

/** Microsoft's French names of the directory roles (the English ones are roles.ts DIRECTORY_ROLE_INFO). */
const DIRECTORY_ROLE_FR: Record<DirectoryRole, string> = {
  GLOBAL_ADMINISTRATOR: 'Administrateur général',
  USER_ADMINISTRATOR: "Administrateur d'utilisateurs",
  DIRECTORY_WRITERS: 'Enregistreurs de répertoire',
  LICENSE_ADMINISTRATOR: 'Administrateur de licences',
  PRIVILEGED_ROLE_ADMINISTRATOR: 'Administrateur de rôle privilégié',
  PRIVILEGED_AUTHENTICATION_ADMINISTRATOR: "Administrateur d'authentification privilégié",
  PASSWORD_ADMINISTRATOR: 'Administrateur de mots de passe',
  HELPDESK_ADMINISTRATOR: 'Administrateur du support technique',
  AUTHENTICATION_ADMINISTRATOR: "Administrateur d'authentification",
  GROUPS_ADMINISTRATOR: 'Administrateur de groupes',
  DIRECTORY_READERS: 'Lecteurs de répertoire',
  GUEST_INVITER: "Inviteur d'invités",
  MESSAGE_CENTER_READER: 'Lecteur du centre de messages',
  REPORTS_READER: 'Lecteur de rapports',
  USAGE_SUMMARY_REPORTS_READER: "Lecteur de rapports de synthèse d'utilisation",
  GLOBAL_READER: 'Lecteur général',
  SECURITY_ADMINISTRATOR: 'Administrateur de la sécurité',
};

const PARTNER_ROLE_FR: Record<PartnerRole, string> = {
  ADMIN_AGENT: "Agent d'administration",
  ACCESS_ADMINISTRATOR: "Administrateur d'accès",
  SALES_AGENT: 'Agent commercial',
  HELPDESK_AGENT: 'Agent du support technique',
};

/** What a task does, as the end of "To … you need" (the English is the task table's description). */
const TASK_FR: Record<Task, string> = {
  READ_CUSTOMER: "consulter le client, ses utilisateurs, ses licences et son journal d'audit",
  CREATE_USER: 'créer des utilisateurs',
  DELETE_USER: 'supprimer des utilisateurs',
  RESTORE_USER: 'restaurer des utilisateurs supprimés',
  EDIT_USER_INFO: "modifier les informations d'un utilisateur",
  EDIT_USER_LICENSES: 'attribuer ou retirer des licences',
  EDIT_USER_ROLES: "attribuer ou retirer des rôles d'administrateur",
  RESET_PASSWORD: 'réinitialiser des mots de passe',
};

const PARTNER_TASK_FR: Record<PartnerTask, string> = {
  READ_PARTNER: 'consulter les agents, les groupes de sécurité et les relations GDAP du partenaire',
  MANAGE_CUSTOMERS: 'ajouter des clients, des domaines et des abonnements',
  MANAGE_RELATIONSHIPS: 'demander et résilier des relations GDAP',
  MANAGE_AGENTS:
    'créer, désactiver, activer et supprimer des agents et des applications, changer leurs rôles de partenaire, réinitialiser le mot de passe des agents et gérer les secrets client des applications',
  MANAGE_GROUPS: 'créer et supprimer des groupes de sécurité et gérer leurs membres',
  ASSIGN_GDAP_ACCESS: 'attribuer des rôles GDAP à des groupes de sécurité ou les leur retirer',
  READ_PARTNER_AUDIT: "consulter le journal d'audit du partenaire",
  APPROVE_ACTIVATIONS: "approuver ou refuser les activations juste-à-temps d'appartenances éligibles",
  MANAGE_WEBHOOKS:
    'abonner des URL aux événements du partenaire, renouveler leurs secrets, consulter et renvoyer les livraisons',
};

function terms<K extends string>(keys: readonly K[], en: (k: K) => string, fr: Record<K, string>): Record<K, Term> {
  return Object.fromEntries(keys.map((k) => [k, { en: en(k), fr: fr[k] }])) as Record<K, Term>;
}

export const DIRECTORY_ROLE_NAMES = terms(
  DIRECTORY_ROLES,
  (r) => DIRECTORY_ROLE_INFO[r].displayName,
  DIRECTORY_ROLE_FR,
);
export const PARTNER_ROLE_NAMES = terms(PARTNER_ROLES, (r) => PARTNER_ROLE_INFO[r].displayName, PARTNER_ROLE_FR);
export const TASK_TERMS = terms(Object.keys(TASKS) as Task[], (t) => TASKS[t].description, TASK_FR);
export const PARTNER_TASK_TERMS = terms(
  Object.keys(PARTNER_TASKS) as PartnerTask[],
  (t) => PARTNER_TASKS[t].description,
  PARTNER_TASK_FR,
);

/** "Administrateur général, … ou Lecteur général": directory roles as a French list of alternatives. */
export const frRoles = (roles: readonly DirectoryRole[]) =>
  anyOfList(
    roles.map((r) => DIRECTORY_ROLE_NAMES[r].fr),
    'fr',
  );

/** Partner roles as a French list of alternatives. */
export const frPartnerRoles = (roles: readonly PartnerRole[]) =>
  anyOfList(
    roles.map((r) => PARTNER_ROLE_NAMES[r].fr),
    'fr',
  );

/**
 * The things a field rule can be about ("The display name is required." / « Nom d'affichage : obligatoire. »). The
 * French names are Partner Center's labels where the page has one.
 */
export const SUBJECTS = {
  firstName: { en: 'first name', fr: 'Prénom' },
  lastName: { en: 'last name', fr: 'Nom' },
  displayName: { en: 'display name', fr: "Nom d'affichage" },
  usageLocation: { en: 'usage location', fr: "Emplacement d'utilisation" },
  jobTitle: { en: 'job title', fr: 'Fonction' },
  department: { en: 'department', fr: 'Service' },
  office: { en: 'office', fr: 'Bureau' },
  officePhone: { en: 'office phone', fr: 'Téléphone professionnel' },
  mobilePhone: { en: 'mobile phone', fr: 'Téléphone mobile' },
  streetAddress: { en: 'street address', fr: 'Adresse' },
  city: { en: 'city', fr: 'Ville' },
  stateOrProvince: { en: 'state or province', fr: 'État ou province' },
  postalCode: { en: 'postal code', fr: 'Code postal' },
  countryOrRegion: { en: 'country or region', fr: 'Pays ou région' },
  alternateEmail: { en: 'alternate email', fr: 'Adresse e-mail secondaire' },
  userPrincipalName: { en: 'user principal name', fr: "Nom d'utilisateur" },
  domain: { en: 'domain', fr: 'Domaine' },
  customerName: { en: 'customer name', fr: 'Nom du client' },
  groupName: { en: 'group name', fr: 'Nom du groupe' },
  relationshipName: { en: 'display name', fr: 'Nom de la relation' },
  description: { en: 'description', fr: 'Description' },
  justification: { en: 'justification', fr: 'Justification' },
  reason: { en: 'reason', fr: 'Motif' },
  newPassword: { en: 'new password', fr: 'Nouveau mot de passe' },
  password: { en: 'password', fr: 'Mot de passe' },
  bootstrapPassword: { en: 'bootstrap password', fr: "Mot de passe d'amorçage" },
  url: { en: 'URL', fr: 'URL' },
} as const satisfies Record<string, Term>;
export type Subject = keyof typeof SUBJECTS;

/** What a NOT_FOUND can be about ("No such user." / « Utilisateur introuvable. »). */
export const THINGS = {
  object: { en: 'object', fr: 'Objet' },
  user: { en: 'user', fr: 'Utilisateur' },
  customer: { en: 'customer', fr: 'Client' },
  partner: { en: 'partner', fr: 'Partenaire' },
  agent: { en: 'agent', fr: 'Agent' },
  application: { en: 'application', fr: 'Application' },
  'security group': { en: 'security group', fr: 'Groupe de sécurité' },
  'GDAP relationship': { en: 'GDAP relationship', fr: 'Relation GDAP' },
  activation: { en: 'activation', fr: 'Activation' },
  'bulk job': { en: 'bulk job', fr: "Travail d'importation" },
  'client secret': { en: 'client secret', fr: 'Secret client' },
  'webhook subscription': { en: 'webhook subscription', fr: 'Abonnement webhook' },
  'webhook delivery': { en: 'webhook delivery', fr: 'Livraison webhook' },
} as const satisfies Record<string, Term>;
export type Thing = keyof typeof THINGS;

// Messages of the bulk area: the import file (csv.ts, columns.ts), its rows (validate.ts), the import itself
// (import.ts), the runner (runner.ts), the passwords of imported users (credentials.ts), and the bulk mutations.
// The `Status update` text of the results CSV is not here: it stays English (import.ts refusalMessage).
import type { Violation } from '../services/validation.js';
import { entry } from './entry.js';
import { violationText } from './violations.js';

/** "Line 3: " / « Ligne 3 : » before a parser error, when the parser knows the line. */
const lineEn = (line: number | null) => (line ? `Line ${line}: ` : '');
const lineFr = (line: number | null) => (line ? `Ligne ${line} : ` : '');
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`);
const guillemets = (names: readonly string[]) => names.map((n) => `« ${n} »`);

export const BULK_MESSAGES = {
  // csv.ts: reading the file
  'bulk.fileBinary': entry(
    () => 'The file is binary, not CSV text.',
    () => "Le fichier est binaire, ce n'est pas du texte CSV.",
  ),
  'bulk.fileTooLarge': entry(
    (p: { maxBytes: number }) => `The file is larger than ${p.maxBytes} bytes.`,
    (p) => `Le fichier dépasse ${p.maxBytes} octets.`,
  ),
  'bulk.fileNotUtf8': entry(
    () => 'The file is not UTF-8 text (is it binary, or saved in a legacy encoding?): save it as "CSV UTF-8".',
    () =>
      "Le fichier n'est pas du texte UTF-8 (est-il binaire, ou enregistré dans un ancien encodage ?) : enregistrez-le au format « CSV UTF-8 ».",
  ),
  'bulk.fileCutCharacter': entry(
    () => 'The file is not UTF-8 text: it ends in the middle of a character.',
    () => "Le fichier n'est pas du texte UTF-8 : il se termine au milieu d'un caractère.",
  ),
  'bulk.cellCount': entry(
    (p: { line: number | null; cells: number; headerCells: number; delimiter: string }) =>
      `${lineEn(p.line)}${p.cells} cell(s) where the header has ${p.headerCells}; the header uses "${p.delimiter}" as delimiter: does the file mix delimiters, or miss a quote?`,
    (p) =>
      `${lineFr(p.line)}${p.cells} cellule(s) alors que l'en-tête en a ${p.headerCells} ; l'en-tête utilise « ${p.delimiter} » comme séparateur : le fichier mélange-t-il les séparateurs, ou manque-t-il un guillemet ?`,
  ),
  'bulk.cellTooLong': entry(
    (p: { line: number | null; max: number }) => `${lineEn(p.line)}a cell is longer than ${p.max} characters.`,
    (p) => `${lineFr(p.line)}une cellule dépasse ${p.max} caractères.`,
  ),
  'bulk.quoteNotClosed': entry(
    (p: { line: number | null }) => `${lineEn(p.line)}a quoted cell is never closed.`,
    (p) => `${lineFr(p.line)}une cellule entre guillemets n'est jamais fermée.`,
  ),
  /** Another parser error: its own (English) text. */
  'bulk.csvError': entry(
    (p: { line: number | null; detail: string }) => `${lineEn(p.line)}${p.detail}`,
    (p) => `${lineFr(p.line)}${p.detail}`,
  ),
  'bulk.headerTooLong': entry(
    (p: { max: number }) => `The first line is longer than ${p.max} characters: this is not a CSV header.`,
    (p) => `La première ligne dépasse ${p.max} caractères : ce n'est pas un en-tête CSV.`,
  ),
  'bulk.fileEmptyNoHeader': entry(
    () =>
      'The file is empty: it needs a header line (First name, Last name, Display name, Email, Status update) and rows.',
    () =>
      "Le fichier est vide : il lui faut une ligne d'en-tête (First name, Last name, Display name, Email, Status update) et des lignes.",
  ),
  'bulk.mixedDelimiters': entry(
    () => 'The header line mixes "," and ";" as delimiters: use one of them throughout the file.',
    () => "La ligne d'en-tête mélange « , » et « ; » comme séparateurs : utilisez l'un des deux dans tout le fichier.",
  ),
  'bulk.fileEmpty': entry(
    () => 'The file is empty: it needs a header line and rows.',
    () => "Le fichier est vide : il lui faut une ligne d'en-tête et des lignes.",
  ),

  // columns.ts: the header
  'bulk.columnNoName': entry(
    (p: { position: number }) => `Column ${p.position} of the header has no name.`,
    (p) => `La colonne ${p.position} de l'en-tête n'a pas de nom.`,
  ),
  'bulk.columnTwice': entry(
    (p: { column: string }) => `The column "${p.column}" appears twice in the header.`,
    (p) => `La colonne « ${p.column} » figure deux fois dans l'en-tête.`,
  ),
  'bulk.unknownColumns': entry(
    (p: { columns: readonly string[]; known: readonly string[] }) =>
      `Unknown column${p.columns.length > 1 ? 's' : ''}: ${quoted(p.columns).join(', ')}. The columns are: ${p.known.join(', ')}.`,
    (p) =>
      `${p.columns.length > 1 ? 'Colonnes inconnues' : 'Colonne inconnue'} : ${guillemets(p.columns).join(', ')}. Les colonnes sont : ${p.known.join(', ')}.`,
  ),
  'bulk.missingColumns': entry(
    (p: { columns: readonly string[] }) =>
      `The header has no ${quoted(p.columns).join(' or ')} column: is the first line the header?`,
    (p) =>
      `L'en-tête n'a pas de colonne ${guillemets(p.columns).join(' ou ')} : la première ligne est-elle bien l'en-tête ?`,
  ),

  // validate.ts: a row (`column` is the column's name as the file writes it)
  'bulk.invalidState': entry(
    (p: { value: string }) => `The state must be ACTIVE or INACTIVE, not ${p.value}.`,
    (p) => `L'état doit être ACTIVE ou INACTIVE, pas ${p.value}.`,
  ),
  'bulk.nameTooLong': entry(
    (p: { column: string; max: number }) => `The ${p.column} is longer than ${p.max} characters.`,
    (p) => `${p.column} : dépasse ${p.max} caractères.`,
  ),
  'bulk.displayNameRequired': entry(
    (p: { column: string }) => `The ${p.column} is required.`,
    (p) => `${p.column} : obligatoire.`,
  ),
  'bulk.upnRequired': entry(
    (p: { column: string }) => `The ${p.column} (user principal name) is required.`,
    (p) => `${p.column} (nom d'utilisateur) : obligatoire.`,
  ),
  'bulk.upnInvalid': entry(
    (p: { column: string; userPrincipalName: string } & Violation) =>
      `The ${p.column} ${p.userPrincipalName} ${violationText.en(p)}.`,
    (p) => `${p.column} « ${p.userPrincipalName} » : ${violationText.fr(p)}.`,
  ),
  'bulk.domainNotVerified': entry(
    (p: { domain: string }) => `The domain ${p.domain} is not a verified domain of this customer.`,
    (p) => `Le domaine ${p.domain} n'est pas un domaine vérifié de ce client.`,
  ),
  'bulk.duplicateInFile': entry(
    (p: { column: string; userPrincipalName: string; line: number }) =>
      `The ${p.column} ${p.userPrincipalName} is already on line ${p.line} of the file.`,
    (p) => `${p.column} « ${p.userPrincipalName} » : figure déjà à la ligne ${p.line} du fichier.`,
  ),
  'bulk.unknownSku': entry(
    (p: { partNumber: string }) => `The licence ${p.partNumber} is not a product part number.`,
    (p) => `La licence ${p.partNumber} n'est pas une référence de produit.`,
  ),
  'bulk.notSubscribed': entry(
    (p: { skuName: string; partNumber: string }) =>
      `The customer has no subscription for ${p.skuName} (${p.partNumber}).`,
    (p) => `Le client n'a pas d'abonnement à ${p.skuName} (${p.partNumber}).`,
  ),
  'bulk.usageLocationRequired': entry(
    () => 'A usage location is required for licences.',
    () => "L'emplacement d'utilisation est obligatoire pour attribuer des licences.",
  ),
  'bulk.unknownRole': entry(
    (p: { role: string }) => `The role ${p.role} is not a directory role.`,
    (p) => `Le rôle ${p.role} n'est pas un rôle d'annuaire.`,
  ),
  'bulk.upnTaken': entry(
    (p: { userPrincipalName: string; displayName: string }) =>
      `${p.userPrincipalName} is already held by the active user ${p.displayName}.`,
    (p) => `Le nom d'utilisateur ${p.userPrincipalName} est déjà pris par l'utilisateur actif ${p.displayName}.`,
  ),

  // import.ts: the whole file
  'bulk.tooManyRows': entry(
    (p: { max: number }) => `The file has more than ${p.max} rows (blank rows count too): split it into several files.`,
    (p) =>
      `Le fichier compte plus de ${p.max} lignes (les lignes vides comptent aussi) : répartissez-le en plusieurs fichiers.`,
  ),
  'bulk.noRows': entry(
    () => 'The file has a header but no rows.',
    () => 'Le fichier a un en-tête mais aucune ligne.',
  ),
  'bulk.noSeats': entry(
    (p: { requested: number; skuName: string; partNumber: string; available: number }) =>
      `The file asks for ${p.requested} seats of ${p.skuName} (${p.partNumber}); ${p.available} are free. Nothing was created.`,
    (p) =>
      `Le fichier demande ${p.requested} sièges de ${p.skuName} (${p.partNumber}) ; ${p.available} sont disponibles. Rien n'a été créé.`,
  ),

  // runner.ts: the job, when its turn comes
  'bulk.agentOffboarded': entry(
    (p: { status: 'DELETED' | 'DISABLED' }) =>
      `The agent who started this import was ${p.status === 'DELETED' ? 'deleted' : 'disabled'}: the rest of the file was not imported.`,
    (p) =>
      `L'agent qui a lancé cette importation a été ${p.status === 'DELETED' ? 'supprimé' : 'désactivé'} : le reste du fichier n'a pas été importé.`,
  ),
  'bulk.agentPasswordReset': entry(
    () => 'The password of the agent who started this import was reset: the rest of the file was not imported.',
    () =>
      "Le mot de passe de l'agent qui a lancé cette importation a été réinitialisé : le reste du fichier n'a pas été importé.",
  ),
  'bulk.rowNotStored': entry(
    () => 'The directory could not store this row; nothing was created for it.',
    () => "L'annuaire n'a pas pu enregistrer cette ligne ; rien n'a été créé pour elle.",
  ),

  // credentials.ts: the temporary passwords
  'bulk.credentialsStarterOnly': entry(
    (p: { createdByName: string }) =>
      `Only ${p.createdByName}, who started the import, receives its temporary passwords.`,
    (p) => `Seul ${p.createdByName}, qui a lancé l'importation, reçoit ses mots de passe temporaires.`,
  ),

  // graphql/mutations/bulk.ts: the importUsers input
  'bulk.csvTwice': entry(
    () => 'Send the CSV either as file or as csv, not both.',
    () => 'Envoyez le CSV soit comme file, soit comme csv, pas les deux.',
  ),
  'bulk.csvMissing': entry(
    () => 'Send the CSV as file (multipart upload) or as csv.',
    () => 'Envoyez le CSV comme file (envoi multipart) ou comme csv.',
  ),

  // graphql/mutations/users/common.ts: the ids of a many-users mutation
  'bulk.noUserIds': entry(
    () => 'Give at least one user id.',
    () => "Donnez au moins un identifiant d'utilisateur.",
  ),
  'bulk.mixedCustomers': entry(
    () => 'All users of one call must belong to the same customer.',
    () => "Tous les utilisateurs d'un même appel doivent appartenir au même client.",
  ),
};

// Messages of signing in, changing one's password and signing out.
import { entry } from './entry.js';

export const SESSION_MESSAGES = {
  'sessions.onePasswordCheck': entry(
    () => 'One password check per request: send the others separately.',
    () => 'Une seule vérification de mot de passe par requête : envoyez les autres séparément.',
  ),
  'sessions.tooManyAttempts': entry(
    (p: { seconds: number; fromThisAddress: boolean }) =>
      `Too many failed sign-ins${p.fromThisAddress ? ' from this address' : ''}; try again in ${p.seconds} s.`,
    (p) =>
      `Trop de connexions échouées${p.fromThisAddress ? ' depuis cette adresse' : ''} ; réessayez dans ${p.seconds} s.`,
  ),
  'sessions.badCredentials': entry(
    () => 'The email or password is incorrect.',
    () => "L'adresse e-mail ou le mot de passe est incorrect.",
  ),
  'sessions.accountDisabled': entry(
    () => 'This account is disabled: ask an access administrator of your partner.',
    () => "Ce compte est désactivé : adressez-vous à un administrateur d'accès de votre partenaire.",
  ),
  'sessions.signInFirst': entry(
    () => 'Sign in first.',
    () => "Connectez-vous d'abord.",
  ),
  'sessions.applicationHasNoPassword': entry(
    () => 'An application has no password: it rotates client secrets instead.',
    () => "Une application n'a pas de mot de passe : elle renouvelle ses secrets client.",
  ),
  'sessions.samePassword': entry(
    () => 'The new password must differ from the current one.',
    () => "Le nouveau mot de passe doit être différent de l'actuel.",
  ),
  'sessions.wrongCurrentPassword': entry(
    () => 'The current password is incorrect.',
    () => 'Le mot de passe actuel est incorrect.',
  ),
  'sessions.changedMeanwhile': entry(
    () => 'Your password was reset or your session ended meanwhile: sign in again.',
    () => 'Votre mot de passe a été réinitialisé ou votre session a pris fin entre-temps : reconnectez-vous.',
  ),
  'sessions.agentsOnlySignOutEverywhere': entry(
    () => 'Only partner agents sign out everywhere; users sign out with signOut.',
    () => 'Seuls les agents du partenaire se déconnectent partout ; les utilisateurs se déconnectent avec signOut.',
  ),
};

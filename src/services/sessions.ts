// Sign-in, tokens, sign-out and password changes, for agents and for customer users.
import { createHash } from 'node:crypto';
import { and, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { hashPassword, passwordPolicyViolation, verifyNothing, verifyPassword } from '../auth/passwords.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { preparedStatement } from '../db/prepared.js';
import { agents, domains, sessions, signInFamiliar, signInThrottle, users } from '../db/schema.js';
import { msg } from '../messages/index.js';
import { type Caller, inTransaction, partnerCaller, type ServiceContext } from './context.js';
import { DomainError, invalid, violated } from './errors.js';
import { recordPartnerEvent, recordSignInEvent } from './partner-audit.js';
import { userColumns } from './users/row.js';

const MAX_FAILURES = 5;
export const LAST_USED_PRECISION_MS = 5 * 60_000;
const FAILURE_WINDOW_MS = 15 * 60_000;
const LOCKOUT_MS = 15 * 60_000;

export interface SignInResult {
  token: string;
  expiresAt: Date;
  mustChangePassword: boolean;
}

/** A client stays familiar to a login this long after its last successful sign-in. */
const FAMILIAR_MS = 30 * 86_400_000;

/** Addresses are kept only as a short hash (they are personal data). */
function clientKey(address: string | undefined): string {
  return createHash('sha256')
    .update(address ?? 'unknown')
    .digest('hex')
    .slice(0, 16);
}

async function lockOf(ctx: ServiceContext, key: string): Promise<Date | null> {
  const [row] = await ctx.db
    .select({ lockedUntil: signInThrottle.lockedUntil })
    .from(signInThrottle)
    .where(eq(signInThrottle.login, key));
  return row?.lockedUntil ?? null;
}

async function isFamiliar(ctx: ServiceContext, login: string, client: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ at: signInFamiliar.lastSuccessAt })
    .from(signInFamiliar)
    .where(and(eq(signInFamiliar.login, login), eq(signInFamiliar.client, client)));
  return !!row && ctx.clock.now().getTime() - row.at.getTime() < FAMILIAR_MS;
}

/** A request checks one password at most (signIn, changePassword): aliases would multiply argon2 work and guesses. */
function onePasswordCheckPerRequest(ctx: ServiceContext, field: string[]): void {
  ctx.passwordChecks = (ctx.passwordChecks ?? 0) + 1;
  if (ctx.passwordChecks > 1) {
    throw new DomainError('TOO_MANY_ATTEMPTS', msg('sessions.onePasswordCheck'), { field });
  }
}

function tooManyAttempts(lockedUntil: Date, now: Date, fromThisAddress = false): DomainError {
  const seconds = Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000);
  return new DomainError('TOO_MANY_ATTEMPTS', msg('sessions.tooManyAttempts', { seconds, fromThisAddress }), {
    field: ['email'],
    retryAfterSeconds: seconds,
  });
}

const badCredentials = () =>
  new DomainError('INVALID_CREDENTIALS', msg('sessions.badCredentials'), { field: ['password'] });

export async function signIn(
  ctx: ServiceContext,
  input: { email: string; password: string },
  limits: { tokenTtlMs: number; clientMaxFailures: number },
): Promise<SignInResult> {
  const { tokenTtlMs } = limits;
  onePasswordCheckPerRequest(ctx, ['email']);
  // No email or password is that long (RFC 5321, Entra's policy): refused before any lookup, write or hash.
  if (input.email.length > 320 || input.password.length > 256) throw badCredentials();
  const login = input.email.trim().toLowerCase();
  const now = ctx.clock.now();
  const client = clientKey(ctx.clientAddress);
  // The client's own budget across every login (a password sprayer), checked first.
  // The address's own budget across every login (a password sprayer): only its failures count, so a busy office
  // behind one address signs in freely.
  const clientLock = await lockOf(ctx, `client:${client}`);
  if (clientLock && clientLock > now) throw tooManyAttempts(clientLock, now, true);
  // Smart lockout: a familiar client (it signed in to this login lately) has its own budget; all others share one.
  // A stranger's wrong passwords then lock out the strangers, not the user at its usual place.
  const bucket = (await isFamiliar(ctx, login, client)) ? `${login}|${client}` : `${login}|*`;
  // The attempt is counted before the password is checked, in one statement: parallel guesses queue on the
  // throttle row, and only the first MAX_FAILURES of a window are ever verified.
  const { lockedUntil, failures } = await countAttempt(ctx, bucket, now, MAX_FAILURES);
  if (lockedUntil && lockedUntil > now) {
    // Recorded once, when the lock starts: attempts during it must not flood the partner's log.
    if (failures === MAX_FAILURES + 1) {
      const locked = await findSubject(ctx, login);
      if (locked?.kind === 'agent')
        await recordSignInEvent(ctx, locked, 'SIGN_IN_LOCKED_OUT', { lockedUntil: lockedUntil.toISOString() });
    }
    throw tooManyAttempts(lockedUntil, now);
  }
  const subject = await findSubject(ctx, login);
  const ok = subject ? await verifyPassword(subject.passwordHash, input.password) : await verifyNothing(input.password);
  if (subject?.kind === 'agent' && !ok)
    await recordSignInEvent(ctx, subject, 'SIGN_IN_FAILED', { reason: 'wrong password' });
  if (!subject || !ok) {
    await countAttempt(ctx, `client:${client}`, now, limits.clientMaxFailures - 1);
    throw badCredentials();
  }
  // Told only to whoever knows the password (as Entra does), so it reveals nothing to a guesser.
  if (subject.kind === 'agent' && subject.status !== 'ENABLED') {
    await recordSignInEvent(ctx, subject, 'SIGN_IN_DISABLED', { reason: 'the agent is disabled' });
    throw new DomainError('ACCOUNT_DISABLED', msg('sessions.accountDisabled'), { field: ['email'] });
  }
  // A success clears the login's bucket; the client becomes familiar.
  await ctx.db.delete(signInThrottle).where(eq(signInThrottle.login, bucket));
  await ctx.db
    .insert(signInFamiliar)
    .values({ login, client, lastSuccessAt: now })
    .onConflictDoUpdate({ target: [signInFamiliar.login, signInFamiliar.client], set: { lastSuccessAt: now } });
  const { token, expiresAt } = await issueSession(ctx.db, subject, now, tokenTtlMs);
  return { token, expiresAt, mustChangePassword: subject.mustChangePassword };
}

/**
 * A new session for an agent or a customer's user whose credentials were checked: an opaque bearer token, of which
 * only the hash is stored. signIn calls it; so do test fixtures, which skip the password check they do not test.
 */
export async function issueSession(
  db: ServiceContext['db'],
  subject: { kind: 'agent'; id: string; clientSecretId?: string } | { kind: 'user'; id: string; customerId: string },
  now: Date,
  ttlMs: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = generateToken('pat');
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.insert(sessions).values({
    tokenHash: hashToken(token),
    agentId: subject.kind === 'agent' ? subject.id : null,
    clientSecretId: subject.kind === 'agent' ? (subject.clientSecretId ?? null) : null,
    customerId: subject.kind === 'user' ? subject.customerId : null,
    userId: subject.kind === 'user' ? subject.id : null,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

/**
 * Who a login is. A login on a customer's verified domain is that customer's user and nothing else (the domain names
 * the tenant, and the user is looked up inside it, so sign-in never searches every customer's users); any other
 * login is an agent's email. An agent email can therefore never shadow a customer user's UPN.
 */
async function findSubject(ctx: ServiceContext, login: string) {
  const at = login.lastIndexOf('@');
  const domain = at > 0 ? login.slice(at + 1) : '';
  const [tenant] = domain
    ? await ctx.db
        .select({ customerId: domains.customerId })
        .from(domains)
        .where(and(eq(domains.name, domain), eq(domains.verified, true)))
    : [];
  if (!tenant) {
    // A deleted agent is gone for sign-in; a disabled one is told so once its password is right. Applications have
    // no email and no password: they get tokens at POST /oauth/token.
    const [agent] = await ctx.db
      .select({
        id: agents.id,
        partnerId: agents.partnerId,
        email: agents.email,
        displayName: agents.displayName,
        status: agents.status,
        passwordHash: agents.passwordHash,
        mustChangePassword: agents.mustChangePassword,
      })
      .from(agents)
      .where(and(eq(agents.emailLower, login), eq(agents.kind, 'AGENT'), ne(agents.status, 'DELETED')));
    return agent?.email && agent.passwordHash
      ? { ...agent, kind: 'agent' as const, email: agent.email, passwordHash: agent.passwordHash }
      : undefined;
  }
  const [user] = await ctx.db
    .select({
      id: users.id,
      customerId: users.customerId,
      passwordHash: users.passwordHash,
      mustChangePassword: users.mustChangePassword,
    })
    .from(users)
    .where(and(eq(users.customerId, tenant.customerId), eq(users.upnLower, login), eq(users.state, 'ACTIVE')));
  return user ? { kind: 'user' as const, ...user } : undefined;
}

/**
 * Counts a sign-in attempt for the login (a success deletes the count) and returns until when the login is locked:
 * the attempt after MAX_FAILURES in one window locks it for LOCKOUT_MS.
 */
async function countAttempt(
  ctx: ServiceContext,
  login: string,
  now: Date,
  maxFailures: number,
): Promise<{ lockedUntil: Date | null; failures: number }> {
  // Raw SQL parameters bypass Drizzle's column mapping: pass instants as ISO strings, cast in SQL.
  const windowFloor = sql`${new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString()}::timestamptz`;
  const lockUntil = sql`${new Date(now.getTime() + LOCKOUT_MS).toISOString()}::timestamptz`;
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  const expired = sql`${signInThrottle.windowStart} < ${windowFloor}`;
  const [row] = await ctx.db
    .insert(signInThrottle)
    .values({ login, failures: 1, windowStart: now })
    .onConflictDoUpdate({
      target: signInThrottle.login,
      set: {
        failures: sql`case when ${expired} then 1 else ${signInThrottle.failures} + 1 end`,
        windowStart: sql`case when ${expired} then ${nowSql} else ${signInThrottle.windowStart} end`,
        lockedUntil: sql`case when ${signInThrottle.lockedUntil} > ${nowSql} then ${signInThrottle.lockedUntil}
          when not ${expired} and ${signInThrottle.failures} + 1 > ${maxFailures} then ${lockUntil} else null end`,
      },
    })
    .returning({ lockedUntil: signInThrottle.lockedUntil, failures: signInThrottle.failures });
  return { lockedUntil: row?.lockedUntil ?? null, failures: row?.failures ?? 0 };
}

/** What a request's authentication reads of its session and of the agent, application or user behind it. */
export const SESSION_FIELDS = {
  agentId: agents.id,
  partnerId: agents.partnerId,
  principal: agents.kind,
  partnerRoles: agents.roles,
  agentName: agents.displayName,
  agentEmail: agents.email,
  agentStatus: agents.status,
  agentMustChange: agents.mustChangePassword,
  lastUsedAt: sessions.lastUsedAt,
  userId: users.id,
  customerId: users.customerId,
  upn: users.userPrincipalName,
  userState: users.state,
  mustChangePassword: users.mustChangePassword,
};

/** The live session of a token hash (`tokenHash`, `now` placeholders), with its principal. */
export const liveSession = (db: Db) =>
  db
    .select(SESSION_FIELDS)
    .from(sessions)
    .leftJoin(agents, eq(agents.id, sessions.agentId))
    .leftJoin(users, and(eq(users.customerId, sessions.customerId), eq(users.id, sessions.userId)))
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder('tokenHash')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`${sql.placeholder('now')}::timestamptz`),
      ),
    );

/** A session's row: nullable where the join found no agent or no user. */
export type SessionRow = Awaited<ReturnType<typeof liveSession>>[number];

const sessionByToken = preparedStatement('session_by_token', (db, name) => liveSession(db).prepare(name));

/** The caller a bearer token stands for, or null when it is unknown, expired, revoked or its user is gone. */
export async function authenticate(ctx: ServiceContext, token: string): Promise<Caller | null> {
  const tokenHash = hashToken(token);
  const now = ctx.clock.now();
  const [row] = await sessionByToken(ctx.db).execute({ tokenHash, now: now.toISOString() });
  return callerOfSession(ctx, tokenHash, row, now);
}

/**
 * The caller again from its session, for a long-lived subscription: refused (UNAUTHENTICATED) once the session was
 * revoked or expired, or its agent disabled or its user deleted, meanwhile.
 */
export async function recheckCaller(ctx: ServiceContext): Promise<void> {
  const caller = ctx.caller;
  if (!caller) return;
  const now = ctx.clock.now();
  const [row] = await sessionByToken(ctx.db).execute({ tokenHash: caller.tokenHash, now: now.toISOString() });
  ctx.caller = callerOfSession(ctx, caller.tokenHash, row, now);
  if (!ctx.caller) throw new DomainError('UNAUTHENTICATED', msg('auth.tokenRejected'));
}

/** The caller a live session's row stands for (null: none, or a disabled agent or a deleted user behind it). */
export function callerOfSession(
  ctx: ServiceContext,
  tokenHash: string,
  row: SessionRow | undefined,
  now: Date,
): Caller | null {
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    // At most one write per session every few minutes; a failure here must not fail the request.
    ctx.db
      .update(sessions)
      .set({ lastUsedAt: now })
      .where(eq(sessions.tokenHash, tokenHash))
      .catch(() => {});
  }
  if (row.agentId && row.partnerId && row.partnerRoles && row.agentName && row.principal) {
    // A disabled or deleted agent's (or application's) token stops working on its very next request (its sessions
    // are revoked too).
    if (row.agentStatus !== 'ENABLED') return null;
    return partnerCaller(
      {
        id: row.agentId,
        partnerId: row.partnerId,
        kind: row.principal,
        roles: row.partnerRoles,
        displayName: row.agentName,
        email: row.agentEmail,
        mustChangePassword: row.agentMustChange ?? false,
      },
      tokenHash,
    );
  }
  if (row.userId && row.customerId && row.upn && row.userState === 'ACTIVE') {
    return {
      kind: 'user',
      userId: row.userId,
      customerId: row.customerId,
      userPrincipalName: row.upn,
      mustChangePassword: row.mustChangePassword ?? true,
      tokenHash,
    };
  }
  return null;
}

export async function signOut(ctx: ServiceContext): Promise<void> {
  if (!ctx.caller) throw new DomainError('UNAUTHENTICATED', msg('sessions.signInFirst'));
  await ctx.db.update(sessions).set({ revokedAt: ctx.clock.now() }).where(eq(sessions.tokenHash, ctx.caller.tokenHash));
}

/**
 * The one thing a user with a temporary password may do. The old password stops working; the caller's other
 * sessions are revoked, the current one stays.
 */
export async function changePassword(
  ctx: ServiceContext,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const caller = ctx.caller;
  if (!caller) throw new DomainError('UNAUTHENTICATED', msg('sessions.signInFirst'));
  if (caller.kind === 'agent' && caller.principal === 'APPLICATION') {
    throw new DomainError('FORBIDDEN', msg('sessions.applicationHasNoPassword'));
  }
  onePasswordCheckPerRequest(ctx, ['currentPassword']);
  const violation = passwordPolicyViolation(input.newPassword);
  if (violation) throw violated(['newPassword'], 'newPassword', violation, 'WEAK_PASSWORD');
  if (input.newPassword === input.currentPassword) {
    throw invalid(['newPassword'], msg('sessions.samePassword'), 'WEAK_PASSWORD');
  }
  const table = caller.kind === 'agent' ? agents : users;
  const where =
    caller.kind === 'agent'
      ? eq(agents.id, caller.agentId)
      : and(eq(users.customerId, caller.customerId), eq(users.id, caller.userId));
  const [found] = await ctx.db.select({ hash: table.passwordHash }).from(table).where(where);
  const current = found?.hash ? { hash: found.hash } : undefined;
  if (!current || !(await verifyPassword(current.hash, input.currentPassword))) {
    throw invalid(['currentPassword'], msg('sessions.wrongCurrentPassword'), 'INVALID_CREDENTIALS');
  }
  const passwordHash = await hashPassword(input.newPassword);
  const now = ctx.clock.now();
  // Saved only if nothing moved since the check above: the hash is still the one verified (no reset in between)
  // and this session is still live (a reset or a delete revokes it). Otherwise the change would undo a reset.
  const sessionLive = sql`exists (select 1 from ${sessions} where ${sessions.tokenHash} = ${caller.tokenHash} and ${sessions.revokedAt} is null)`;
  await inTransaction(ctx, async (tx) => {
    const changed =
      caller.kind === 'agent'
        ? await tx.db
            .update(agents)
            .set({ passwordHash, mustChangePassword: false, updatedAt: now })
            .where(and(where, eq(agents.passwordHash, current.hash), sessionLive))
            .returning({ id: agents.id })
        : await tx.db
            .update(users)
            .set({ passwordHash, mustChangePassword: false, updatedAt: now })
            .where(and(where, eq(users.passwordHash, current.hash), eq(users.state, 'ACTIVE'), sessionLive))
            .returning({ id: users.id });
    if (!changed.length) {
      throw new DomainError('UNAUTHENTICATED', msg('sessions.changedMeanwhile'));
    }
    const owner =
      caller.kind === 'agent'
        ? eq(sessions.agentId, caller.agentId)
        : and(eq(sessions.customerId, caller.customerId), eq(sessions.userId, caller.userId))!;
    await revokeOtherSessions(tx.db, owner, caller.tokenHash, now);
  });
  caller.mustChangePassword = false;
}

/** Revokes every live session of an agent (disable, delete, password reset). */
export async function revokeAgentSessions(db: ServiceContext['db'], agentId: string, now: Date): Promise<number> {
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.agentId, agentId), isNull(sessions.revokedAt)))
    .returning({ tokenHash: sessions.tokenHash });
  return revoked.length;
}

/** The signed-in agent ends all of its sessions, this one included. */
export async function signOutEverywhere(ctx: ServiceContext): Promise<number> {
  const caller = ctx.caller;
  if (caller?.kind !== 'agent') throw new DomainError('FORBIDDEN', msg('sessions.agentsOnlySignOutEverywhere'));
  return inTransaction(ctx, async (tx) => {
    const n = await revokeAgentSessions(tx.db, caller.agentId, ctx.clock.now());
    await recordPartnerEvent(tx, caller.partnerId, 'SIGN_OUT_EVERYWHERE', 'SUCCESS', {
      targetType: 'AGENT',
      targetId: caller.agentId,
      targetName: caller.email,
      details: { sessionsRevoked: n },
    });
    return n;
  });
}

export type SessionInfo = { id: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date; current: boolean };

/** The signed-in agent's live sessions, newest first; never the token (the id is a prefix of its hash). */
export async function liveSessions(ctx: ServiceContext): Promise<SessionInfo[]> {
  const caller = ctx.caller;
  if (caller?.kind !== 'agent') return [];
  const rows = await ctx.db
    .select({
      tokenHash: sessions.tokenHash,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(
      and(eq(sessions.agentId, caller.agentId), isNull(sessions.revokedAt), gt(sessions.expiresAt, ctx.clock.now())),
    )
    .orderBy(desc(sessions.createdAt));
  return rows.map((r) => ({
    id: r.tokenHash.slice(0, 16),
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    expiresAt: r.expiresAt,
    current: r.tokenHash === caller.tokenHash,
  }));
}

async function revokeOtherSessions(
  db: ServiceContext['db'],
  owner: ReturnType<typeof eq>,
  keep: string,
  now: Date,
): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(owner, ne(sessions.tokenHash, keep), isNull(sessions.revokedAt)));
}

/** Revokes every session of a customer user (delete, password reset). */
export async function revokeUserSessions(db: ServiceContext['db'], customerId: string, userId: string, now: Date) {
  await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.customerId, customerId), eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

/** The signed-in customer user's own record (once the temporary password has been changed). */
export async function signedInUser(ctx: ServiceContext) {
  const c = ctx.caller;
  if (c?.kind !== 'user' || c.mustChangePassword) return null;
  const [row] = await ctx.db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.customerId, c.customerId), eq(users.id, c.userId)));
  return row ?? null;
}

/**
 * Maintenance: removes sessions that ended (expired or revoked) more than a day ago, and sign-in counters whose
 * window and lockout are both over. Neither can matter again; without this both tables only grow.
 */
export async function removeStaleSessions(db: ServiceContext['db'], now: Date): Promise<number> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const ended = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, dayAgo), lt(sessions.revokedAt, dayAgo)))
    .returning({ tokenHash: sessions.tokenHash });
  const windowFloor = new Date(now.getTime() - FAILURE_WINDOW_MS);
  await db
    .delete(signInThrottle)
    .where(
      and(
        lt(signInThrottle.windowStart, windowFloor),
        or(isNull(signInThrottle.lockedUntil), lt(signInThrottle.lockedUntil, now)),
      ),
    );
  await db.delete(signInFamiliar).where(lt(signInFamiliar.lastSuccessAt, new Date(now.getTime() - FAMILIAR_MS)));
  return ended.length;
}

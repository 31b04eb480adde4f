// Sign-in, tokens, sign-out and password changes, for agents and for customer users.
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { hashPassword, passwordPolicyViolation, verifyNothing, verifyPassword } from '../auth/passwords.js';
import type { PartnerRole } from '../auth/roles.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import { preparedStatement } from '../db/prepared.js';
import { agents, domains, sessions, signInThrottle, users } from '../db/schema.js';
import type { Caller, ServiceContext } from './context.js';
import { userColumns } from './users/shared.js';
import { DomainError, invalid } from './errors.js';

const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;
const LOCKOUT_MS = 15 * 60_000;

export interface SignInResult {
  token: string;
  expiresAt: Date;
  mustChangePassword: boolean;
}

const badCredentials = () =>
  new DomainError('INVALID_CREDENTIALS', 'The email or password is incorrect.', { field: ['password'] });

export async function signIn(
  ctx: ServiceContext,
  input: { email: string; password: string },
  tokenTtlMs: number,
): Promise<SignInResult> {
  const login = input.email.trim().toLowerCase();
  const now = ctx.clock.now();
  const [throttle] = await ctx.db.select().from(signInThrottle).where(eq(signInThrottle.login, login));
  if (throttle?.lockedUntil && throttle.lockedUntil > now) {
    const seconds = Math.ceil((throttle.lockedUntil.getTime() - now.getTime()) / 1000);
    throw new DomainError('TOO_MANY_ATTEMPTS', `Too many failed sign-ins; try again in ${seconds} s.`, {
      field: ['email'],
      retryAfterSeconds: seconds,
    });
  }
  const subject = await findSubject(ctx, login);
  const ok = subject ? await verifyPassword(subject.passwordHash, input.password) : await verifyNothing(input.password);
  if (!subject || !ok) {
    await recordFailure(ctx, login, now);
    throw badCredentials();
  }
  if (throttle) await ctx.db.delete(signInThrottle).where(eq(signInThrottle.login, login));
  const token = generateToken('pat');
  const expiresAt = new Date(now.getTime() + tokenTtlMs);
  await ctx.db.insert(sessions).values({
    tokenHash: hashToken(token),
    agentId: subject.kind === 'agent' ? subject.id : null,
    customerId: subject.kind === 'user' ? subject.customerId : null,
    userId: subject.kind === 'user' ? subject.id : null,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt, mustChangePassword: subject.kind === 'user' && subject.mustChangePassword };
}

async function findSubject(ctx: ServiceContext, login: string) {
  const [agent] = await ctx.db
    .select({ id: agents.id, passwordHash: agents.passwordHash })
    .from(agents)
    .where(eq(agents.emailLower, login));
  if (agent) return { kind: 'agent' as const, ...agent };
  // A customer user: the UPN's domain names the tenant (a verified domain belongs to one tenant), and the user is
  // then looked up inside it, so sign-in never searches every customer's users.
  const domain = login.slice(login.lastIndexOf('@') + 1);
  if (!login.includes('@') || !domain) return undefined;
  const [tenant] = await ctx.db
    .select({ customerId: domains.customerId })
    .from(domains)
    .where(and(eq(domains.name, domain), eq(domains.verified, true)));
  if (!tenant) return undefined;
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

async function recordFailure(ctx: ServiceContext, login: string, now: Date): Promise<void> {
  // Raw SQL parameters bypass Drizzle's column mapping: pass instants as ISO strings, cast in SQL.
  const windowFloor = sql`${new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString()}::timestamptz`;
  const lockUntil = sql`${new Date(now.getTime() + LOCKOUT_MS).toISOString()}::timestamptz`;
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  await ctx.db
    .insert(signInThrottle)
    .values({ login, failures: 1, windowStart: now })
    .onConflictDoUpdate({
      target: signInThrottle.login,
      set: {
        failures: sql`case when ${signInThrottle.windowStart} < ${windowFloor} then 1 else ${signInThrottle.failures} + 1 end`,
        windowStart: sql`case when ${signInThrottle.windowStart} < ${windowFloor} then ${nowSql} else ${signInThrottle.windowStart} end`,
        lockedUntil: sql`case when ${signInThrottle.windowStart} >= ${windowFloor} and ${signInThrottle.failures} + 1 >= ${MAX_FAILURES} then ${lockUntil} else null end`,
      },
    });
}

const sessionByToken = preparedStatement('session_by_token', (db, name) =>
  db
    .select({
      agentId: agents.id,
      partnerId: agents.partnerId,
      partnerRoles: agents.roles,
      agentName: agents.displayName,
      userId: users.id,
      customerId: users.customerId,
      upn: users.userPrincipalName,
      userState: users.state,
      mustChangePassword: users.mustChangePassword,
    })
    .from(sessions)
    .leftJoin(agents, eq(agents.id, sessions.agentId))
    .leftJoin(users, and(eq(users.customerId, sessions.customerId), eq(users.id, sessions.userId)))
    .where(
      and(
        eq(sessions.tokenHash, sql.placeholder('tokenHash')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`${sql.placeholder('now')}::timestamptz`),
      ),
    )
    .prepare(name),
);

/** The caller a bearer token stands for, or null when it is unknown, expired, revoked or its user is gone. */
export async function authenticate(ctx: ServiceContext, token: string): Promise<Caller | null> {
  const tokenHash = hashToken(token);
  const [row] = await sessionByToken(ctx.db).execute({ tokenHash, now: ctx.clock.now().toISOString() });
  if (!row) return null;
  if (row.agentId && row.partnerId && row.partnerRoles && row.agentName) {
    return {
      kind: 'agent',
      agentId: row.agentId,
      partnerId: row.partnerId,
      partnerRoles: row.partnerRoles as PartnerRole[],
      name: row.agentName,
      tokenHash,
    };
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
  if (!ctx.caller) throw new DomainError('UNAUTHENTICATED', 'Sign in first.');
  await ctx.db
    .update(sessions)
    .set({ revokedAt: ctx.clock.now() })
    .where(eq(sessions.tokenHash, ctx.caller.tokenHash));
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
  if (!caller) throw new DomainError('UNAUTHENTICATED', 'Sign in first.');
  const violation = passwordPolicyViolation(input.newPassword);
  if (violation) throw invalid(['newPassword'], `The new password ${violation}.`, 'WEAK_PASSWORD');
  if (input.newPassword === input.currentPassword) {
    throw invalid(['newPassword'], 'The new password must differ from the current one.', 'WEAK_PASSWORD');
  }
  const table = caller.kind === 'agent' ? agents : users;
  const where =
    caller.kind === 'agent'
      ? eq(agents.id, caller.agentId)
      : and(eq(users.customerId, caller.customerId), eq(users.id, caller.userId));
  const [current] = await ctx.db.select({ hash: table.passwordHash }).from(table).where(where);
  if (!current || !(await verifyPassword(current.hash, input.currentPassword))) {
    throw invalid(['currentPassword'], 'The current password is incorrect.', 'INVALID_CREDENTIALS');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await ctx.db.transaction(async (tx) => {
    if (caller.kind === 'agent') {
      await tx.update(agents).set({ passwordHash }).where(eq(agents.id, caller.agentId));
      await revokeOtherSessions(tx, eq(sessions.agentId, caller.agentId), caller.tokenHash, ctx.clock.now());
    } else {
      await tx
        .update(users)
        .set({ passwordHash, mustChangePassword: false, updatedAt: ctx.clock.now() })
        .where(and(eq(users.customerId, caller.customerId), eq(users.id, caller.userId)));
      await revokeOtherSessions(
        tx,
        and(eq(sessions.customerId, caller.customerId), eq(sessions.userId, caller.userId))!,
        caller.tokenHash,
        ctx.clock.now(),
      );
    }
  });
  if (caller.kind === 'user') caller.mustChangePassword = false;
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

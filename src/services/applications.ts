// Applications (service principals): a partner's automation. They live beside agents (same table, kind APPLICATION),
// hold partner roles, join security groups (so GDAP decides what they may do in each customer, by the same rules),
// and sign in with client secrets at POST /oauth/token (RFC 6749 §4.4), which returns a short-lived bearer token the
// GraphQL API takes like an agent's. Managing them is MANAGE_AGENTS (ACCESS_ADMINISTRATOR), never on oneself.
import { and, asc, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { PartnerRole } from '../auth/roles.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import { agents, applicationSecrets, sessions } from '../db/schema.js';
import { msg } from '../messages/index.js';
import {
  type AgentRow,
  agentEvent,
  changeOtherPrincipal,
  deletePrincipal,
  disablePrincipal,
  enablePrincipal,
  getAgent,
  rolesViolation,
  updatePrincipal,
} from './agents.js';
import { requirePartnerTask } from './authorization.js';
import { type ServiceContext, serviceContext } from './context.js';
import { type DomainError, invalid, notFound, ValidationErrors, violated } from './errors.js';
import { authorizePartnerChange, commitPartnerChange, recordPartnerEvent } from './partner-audit.js';
import { type RatePolicy, spendBudget } from './rate-limits.js';
import { issueSession } from './sessions.js';
import { partnerTask, readPartner } from './tasks.js';
import { textViolation } from './validation.js';

const TASK = 'MANAGE_AGENTS' as const;

export type ApplicationRow = AgentRow;
export type ApplicationSecretRow = Omit<typeof applicationSecrets.$inferSelect, 'secretHash'>;

/** Two live secrets at once: the one in use and its successor, for rotation without downtime. */
export const MAX_LIVE_SECRETS = 2;
/** Entra's longest recommended client-secret lifetime is 24 months; the default here is 6. */
export const MAX_SECRET_DAYS = 730;
export const DEFAULT_SECRET_DAYS = 180;
/** An application's access token lives one hour (Entra's default), after which it asks for another. */
export const APPLICATION_TOKEN_TTL_MS = 60 * 60_000;

export const createApplication = partnerTask(
  TASK,
  async function createApplication(
    ctx: ServiceContext,
    input: { displayName: string; roles: PartnerRole[] },
  ): Promise<ApplicationRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'CREATE_APPLICATION');
    const roles = [...new Set(input.roles)];
    const errors: DomainError[] = [];
    const nameProblem = textViolation(input.displayName, 256, true);
    if (nameProblem) errors.push(violated(['displayName'], 'displayName', nameProblem));
    const roleProblem = rolesViolation(roles);
    if (roleProblem) errors.push(roleProblem);
    if (errors.length) throw errors.length === 1 ? errors[0]! : new ValidationErrors(errors);
    return commitPartnerChange(ctx, admin, 'CREATE_APPLICATION', async (tx) => {
      const [row] = await tx.db
        .insert(agents)
        .values({
          partnerId: admin.partnerId,
          kind: 'APPLICATION',
          displayName: input.displayName,
          roles,
          createdAt: ctx.clock.now(),
          updatedAt: ctx.clock.now(),
        })
        .returning();
      return { result: row!, event: agentEvent(row!, { roles }) };
    });
  },
);

/** The partner's applications that are not deleted, by name. */
export const listApplications = partnerTask(
  readPartner.partnerTask,
  async function listApplications(ctx: ServiceContext): Promise<ApplicationRow[]> {
    const caller = requirePartnerTask(ctx, readPartner.partnerTask);
    return ctx.db
      .select()
      .from(agents)
      .where(and(eq(agents.partnerId, caller.partnerId), eq(agents.kind, 'APPLICATION'), ne(agents.status, 'DELETED')))
      .orderBy(asc(agents.displayName), asc(agents.id));
  },
);

export function getApplication(ctx: ServiceContext, applicationId: string): Promise<ApplicationRow> {
  return getAgent(ctx, applicationId, 'APPLICATION');
}

export const updateApplication = partnerTask(
  TASK,
  function updateApplication(
    ctx: ServiceContext,
    input: { applicationId: string; displayName?: string | null; roles?: PartnerRole[] | null },
  ): Promise<ApplicationRow> {
    return updatePrincipal(ctx, 'APPLICATION', { ...input, id: input.applicationId });
  },
);

/** Every token of the application stops working on its next request; its secrets stay for when it is enabled. */
export const disableApplication = partnerTask(TASK, function disableApplication(ctx: ServiceContext, id: string) {
  return disablePrincipal(ctx, 'APPLICATION', id);
});
export const enableApplication = partnerTask(TASK, function enableApplication(ctx: ServiceContext, id: string) {
  return enablePrincipal(ctx, 'APPLICATION', id);
});
/** For good: its memberships end, its tokens and secrets are revoked. */
export const deleteApplication = partnerTask(TASK, function deleteApplication(ctx: ServiceContext, id: string) {
  return deletePrincipal(ctx, 'APPLICATION', id, async (tx, app) => ({
    secretsRevoked: await revokeSecrets(tx, app, null),
  }));
});

/** Revokes the application's live secrets (one, or all with `secretId` null) and the tokens issued for them. */
async function revokeSecrets(tx: ServiceContext, app: ApplicationRow, secretId: string | null): Promise<number> {
  const now = tx.clock.now();
  const revoked = await tx.db
    .update(applicationSecrets)
    .set({ revokedAt: now })
    .where(
      and(
        eq(applicationSecrets.partnerId, app.partnerId),
        eq(applicationSecrets.applicationId, app.id),
        secretId ? eq(applicationSecrets.id, secretId) : undefined,
        isNull(applicationSecrets.revokedAt),
      ),
    )
    .returning({ id: applicationSecrets.id });
  for (const { id } of revoked) {
    await tx.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.agentId, app.id), eq(sessions.clientSecretId, id), isNull(sessions.revokedAt)));
  }
  return revoked.length;
}

const secretColumns = {
  partnerId: applicationSecrets.partnerId,
  id: applicationSecrets.id,
  applicationId: applicationSecrets.applicationId,
  description: applicationSecrets.description,
  hint: applicationSecrets.hint,
  createdAt: applicationSecrets.createdAt,
  expiresAt: applicationSecrets.expiresAt,
  revokedAt: applicationSecrets.revokedAt,
  lastUsedAt: applicationSecrets.lastUsedAt,
};

/**
 * A new client secret, shown once (only its SHA-256 is kept). At most MAX_LIVE_SECRETS live at once: to rotate, add
 * the new one, move the script to it, remove the old one. Never for oneself (an application minting its own secrets
 * would keep its access beyond any revocation).
 */
export const addApplicationSecret = partnerTask(
  TASK,
  function addApplicationSecret(
    ctx: ServiceContext,
    input: { applicationId: string; description?: string | null; expiresInDays?: number | null },
  ): Promise<{ secret: ApplicationSecretRow; secretText: string }> {
    const description = input.description?.trim() || 'client secret';
    const days = input.expiresInDays ?? DEFAULT_SECRET_DAYS;
    const problem = textViolation(description, 100, true);
    if (problem) throw violated(['description'], 'description', problem);
    if (!Number.isInteger(days) || days < 1 || days > MAX_SECRET_DAYS) {
      throw invalid(['expiresInDays'], msg('partner.secretLifetime', { maxDays: MAX_SECRET_DAYS }));
    }
    return changeOtherPrincipal(
      ctx,
      'APPLICATION',
      'ADD_APPLICATION_SECRET',
      input.applicationId,
      msg('partner.fourEyesAddOwnSecret'),
      async (tx, app) => {
        // The application row is locked (lockedAgent): two concurrent adds cannot both see one live secret.
        const now = ctx.clock.now();
        const [live] = await tx.db
          .select({ n: sql<number>`count(*)::int` })
          .from(applicationSecrets)
          .where(
            and(
              eq(applicationSecrets.partnerId, app.partnerId),
              eq(applicationSecrets.applicationId, app.id),
              isNull(applicationSecrets.revokedAt),
              gt(applicationSecrets.expiresAt, now),
            ),
          );
        if ((live?.n ?? 0) >= MAX_LIVE_SECRETS) {
          throw invalid(
            ['applicationId'],
            msg('partner.tooManySecrets', { displayName: app.displayName, max: MAX_LIVE_SECRETS }),
            'LIMIT_EXCEEDED',
          );
        }
        const secretText = generateToken('cs');
        const [secret] = await tx.db
          .insert(applicationSecrets)
          .values({
            partnerId: app.partnerId,
            applicationId: app.id,
            description,
            secretHash: hashToken(secretText),
            hint: secretText.slice(0, 6),
            createdAt: now,
            expiresAt: new Date(now.getTime() + days * 86_400_000),
          })
          .returning(secretColumns);
        return {
          result: { secret: secret!, secretText },
          event: {
            targetType: 'APPLICATION_SECRET',
            targetId: secret!.id,
            targetName: app.displayName,
            details: { description, hint: secret!.hint, expiresAt: secret!.expiresAt.toISOString() },
          },
        };
      },
    );
  },
);

/** Revokes a secret at once, and every token issued for it. */
export const removeApplicationSecret = partnerTask(
  TASK,
  function removeApplicationSecret(
    ctx: ServiceContext,
    input: { applicationId: string; secretId: string },
  ): Promise<ApplicationRow> {
    return changeOtherPrincipal(
      ctx,
      'APPLICATION',
      'REMOVE_APPLICATION_SECRET',
      input.applicationId,
      msg('partner.fourEyesRemoveOwnSecret'),
      async (tx, app) => {
        const n = await revokeSecrets(tx, app, input.secretId);
        if (!n) throw notFound('client secret');
        return {
          result: app,
          event: { targetType: 'APPLICATION_SECRET', targetId: input.secretId, targetName: app.displayName },
        };
      },
    );
  },
);

/**
 * The application's secrets, newest first, revoked and expired ones included (never the secret itself). READ_PARTNER
 * even for the application itself, as for every other reader.
 */
export const secretsOf = partnerTask(
  readPartner.partnerTask,
  async function secretsOf(ctx: ServiceContext, applicationId: string): Promise<ApplicationSecretRow[]> {
    requirePartnerTask(ctx, readPartner.partnerTask);
    const app = await getApplication(ctx, applicationId);
    return ctx.db
      .select(secretColumns)
      .from(applicationSecrets)
      .where(and(eq(applicationSecrets.partnerId, app.partnerId), eq(applicationSecrets.applicationId, app.id)))
      .orderBy(desc(applicationSecrets.createdAt), asc(applicationSecrets.id));
  },
);

/** Why a token request fails, as RFC 6749 §5.2 names it. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'temporarily_unavailable',
    readonly description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
  }
}

/** What a token costs from the application's request budget: its session and audit rows are writes. */
export const TOKEN_COST = 1000;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The client-credentials grant: a live secret of an enabled application buys a bearer token for APPLICATION_TOKEN_TTL_MS,
 * tied to that secret. Every failure is the same invalid_client (no hint whether the id or the secret was wrong). No
 * lockout: a 256-bit secret cannot be guessed, and a person's lockout must not stop a partner's automation.
 */
export async function issueApplicationToken(
  db: ServiceContext['db'],
  clock: ServiceContext['clock'],
  clientId: string,
  clientSecret: string,
  policy: RatePolicy | null = null,
): Promise<{ token: string; expiresAt: Date }> {
  const refused = () => new OAuthError('invalid_client', 'The client id or secret is wrong, expired or revoked.');
  if (!UUID_RE.test(clientId) || clientSecret.length > 200) throw refused();
  const now = clock.now();
  const [found] = await db
    .select({ app: agents, secretId: applicationSecrets.id })
    .from(applicationSecrets)
    .innerJoin(agents, eq(agents.id, applicationSecrets.applicationId))
    .where(
      and(
        eq(applicationSecrets.secretHash, hashToken(clientSecret)),
        eq(applicationSecrets.applicationId, clientId.toLowerCase()),
        eq(agents.kind, 'APPLICATION'),
        eq(agents.status, 'ENABLED'),
        isNull(applicationSecrets.revokedAt),
        gt(applicationSecrets.expiresAt, now),
      ),
    );
  if (!found) throw refused();
  // Spent after the secret is checked: someone without it cannot use up the application's budget.
  if (policy) {
    const spent = await spendBudget(db, found.app.id, TOKEN_COST, now, policy);
    if (!spent.ok) {
      throw new OAuthError(
        'temporarily_unavailable',
        `Too many tokens asked for: retry in ${spent.retryAfterSeconds} s (a token lasts an hour: keep it).`,
        spent.retryAfterSeconds,
      );
    }
  }
  const ctx = serviceContext(db, clock);
  return ctx.db.transaction(async (tx) => {
    // Still live, checked again under the secret's row lock: a concurrent removeApplicationSecret either waits for
    // this token (and then revokes it with the others) or makes this check fail.
    const [live] = await tx
      .update(applicationSecrets)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(applicationSecrets.partnerId, found.app.partnerId),
          eq(applicationSecrets.id, found.secretId),
          isNull(applicationSecrets.revokedAt),
          gt(applicationSecrets.expiresAt, now),
        ),
      )
      .returning({ id: applicationSecrets.id });
    if (!live) throw refused();
    const issued = await issueSession(
      tx,
      { kind: 'agent', id: found.app.id, clientSecretId: found.secretId },
      now,
      APPLICATION_TOKEN_TTL_MS,
    );
    // The partner's log shows which secret got a token, when: what an investigation of a leaked secret needs.
    await recordPartnerEvent(
      { ...ctx, db: tx },
      found.app.partnerId,
      'APPLICATION_TOKEN_ISSUED',
      'SUCCESS',
      { targetType: 'APPLICATION_SECRET', targetId: found.secretId, targetName: found.app.displayName },
      {
        actorKind: 'APPLICATION',
        actorId: found.app.id,
        actorEmail: null,
        actorName: found.app.displayName,
      },
    );
    return issued;
  });
}

// Partner agents and their lifecycle: create, update (display name, partner roles), disable, enable, delete (soft),
// password reset. All of it is ACCESS_ADMINISTRATOR's; no one does it to itself, and a partner always keeps one
// enabled ACCESS_ADMINISTRATOR agent. Applications (services/applications.ts) share the table and the update, disable,
// enable and delete steps here, through the `kind` they pass.
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { generateTemporaryPassword, hashPassword, passwordPolicyViolation } from '../auth/passwords.js';
import { PARTNER_ROLES, type PartnerRole } from '../auth/roles.js';
import { pgErrorCode, UNIQUE_VIOLATION } from '../db/client.js';
import { agents, domains, groupMembers, partners } from '../db/schema.js';
import { type Message, msg } from '../messages/index.js';
import { endOpenActivations } from './activation-end.js';
import { type AgentCaller, requireAgent, requirePartnerTask } from './authorization.js';
import { inTransaction, type ServiceContext } from './context.js';
import { DomainError, invalid, notFound, ValidationErrors, violated } from './errors.js';
import {
  authorizePartnerChange,
  commitPartnerChange,
  fourEyes,
  type PartnerEvent,
  recordPartnerEvent,
} from './partner-audit.js';
import { revokeAgentSessions } from './sessions.js';
import { partnerTask, readPartner } from './tasks.js';
import { textViolation } from './validation.js';

const TASK = 'MANAGE_AGENTS' as const;

export type AgentRow = typeof agents.$inferSelect;
export type PrincipalKind = AgentRow['kind'];

/** How messages and events name a principal: an agent by its email, an application by its display name. */
export const principalName = (a: Pick<AgentRow, 'email' | 'displayName'>) => a.email ?? a.displayName;

const ACCESS_ADMIN: PartnerRole = 'ACCESS_ADMINISTRATOR';

export function rolesViolation(roles: readonly string[]): DomainError | null {
  if (roles.length === 0) return invalid(['roles'], msg('partner.rolesRequired'), 'REQUIRED');
  const unknown = roles.find((r) => !(PARTNER_ROLES as readonly string[]).includes(r));
  return unknown ? invalid(['roles'], msg('partner.unknownPartnerRole', { role: unknown }), 'UNKNOWN_ROLE') : null;
}

/** What the event shows of an agent or an application (never a hash). */
export const agentEvent = (a: AgentRow, details: Record<string, unknown> = {}) => ({
  targetType: a.kind,
  targetId: a.id,
  targetName: principalName(a),
  details,
});

export const createAgent = partnerTask(
  TASK,
  async function createAgent(
    ctx: ServiceContext,
    input: { email: string; displayName: string; password: string; roles: PartnerRole[] },
  ): Promise<AgentRow> {
    const admin = await authorizePartnerChange(ctx, TASK, 'CREATE_AGENT');
    const email = input.email.trim();
    const roles = [...new Set(input.roles)];
    const errors: DomainError[] = [];
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || email.length > 254) {
      errors.push(invalid(['email'], msg('partner.emailShape')));
    }
    const nameProblem = textViolation(input.displayName, 256, true);
    if (nameProblem) errors.push(violated(['displayName'], 'displayName', nameProblem));
    const roleProblem = rolesViolation(roles);
    if (roleProblem) errors.push(roleProblem);
    const violation = passwordPolicyViolation(input.password);
    if (violation) errors.push(violated(['password'], 'password', violation, 'WEAK_PASSWORD'));
    if (errors.length) throw errors.length === 1 ? errors[0]! : new ValidationErrors(errors);
    // A login on a customer's verified domain signs in as that customer's user (services/sessions.ts).
    const [customerDomain] = await ctx.db
      .select({ name: domains.name })
      .from(domains)
      .where(eq(domains.name, email.slice(email.lastIndexOf('@') + 1).toLowerCase()));
    if (customerDomain) {
      throw invalid(['email'], msg('partner.emailOnCustomerDomain', { domain: customerDomain.name }), 'DOMAIN_TAKEN');
    }
    const passwordHash = await hashPassword(input.password);
    try {
      return await commitPartnerChange(ctx, admin, 'CREATE_AGENT', async (tx) => {
        const [row] = await tx.db
          .insert(agents)
          .values({
            partnerId: admin.partnerId,
            email,
            displayName: input.displayName,
            passwordHash,
            roles,
            createdAt: ctx.clock.now(),
            updatedAt: ctx.clock.now(),
          })
          .returning();
        return { result: row!, event: agentEvent(row!, { displayName: row!.displayName, roles }) };
      });
    } catch (e) {
      if (pgErrorCode(e) === UNIQUE_VIOLATION)
        throw invalid(['email'], msg('partner.emailTaken', { email }), 'EMAIL_TAKEN');
      throw e;
    }
  },
);

/** The partner's agents that are not deleted, by email. */
export const listAgents = partnerTask(readPartner.partnerTask, async function listAgents(ctx: ServiceContext): Promise<
  AgentRow[]
> {
  const caller = requirePartnerTask(ctx, readPartner.partnerTask);
  return ctx.db
    .select()
    .from(agents)
    .where(and(eq(agents.partnerId, caller.partnerId), eq(agents.kind, 'AGENT'), ne(agents.status, 'DELETED')))
    .orderBy(asc(agents.emailLower));
});

const notFoundOf = (kind: PrincipalKind) => notFound(kind === 'AGENT' ? 'agent' : 'application');

/**
 * An agent (or, with kind APPLICATION, an application) of the caller's own partner: itself always, others with
 * READ_PARTNER. Deleted ones stay readable.
 */
export async function getAgent(ctx: ServiceContext, agentId: string, kind: PrincipalKind = 'AGENT'): Promise<AgentRow> {
  const caller = requireAgent(ctx);
  if (caller.agentId !== agentId) requirePartnerTask(ctx, readPartner.partnerTask);
  const [row] = await ctx.db
    .select()
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.partnerId, caller.partnerId), eq(agents.kind, kind)));
  if (!row) throw notFoundOf(kind);
  return row;
}

/** The target of an agent (or application) change, locked for the transaction; deleted ones are gone for changes. */
async function lockedAgent(
  tx: ServiceContext,
  admin: AgentCaller,
  agentId: string,
  kind: PrincipalKind,
): Promise<AgentRow> {
  const [row] = await tx.db
    .select()
    .from(agents)
    .where(
      and(
        eq(agents.id, agentId),
        eq(agents.partnerId, admin.partnerId),
        eq(agents.kind, kind),
        ne(agents.status, 'DELETED'),
      ),
    )
    // Not FOR UPDATE: that would also block the key-share locks of inserts referencing the agent (an audit event,
    // an activation), and with them deadlock against a concurrent activation.
    .for('no key update');
  if (!row) throw notFoundOf(kind);
  return row;
}

/**
 * A partner keeps at least one enabled ACCESS_ADMINISTRATOR agent besides `agent`, else nobody could grant access any
 * more. The partner row is locked first, so two administrators disabling each other at once cannot both pass. Only
 * people count: an application holding the role cannot be the one left to recover access.
 */
async function assertAnotherAccessAdministrator(
  tx: ServiceContext,
  agent: AgentRow,
  change: 'disable' | 'delete' | 'removeRole',
): Promise<void> {
  if (agent.kind !== 'AGENT' || agent.status !== 'ENABLED' || !agent.roles.includes(ACCESS_ADMIN)) return;
  // NO KEY UPDATE: serializes these checks, yet lets every insert referencing the partner (audit events) through.
  await tx.db.select({ id: partners.id }).from(partners).where(eq(partners.id, agent.partnerId)).for('no key update');
  const [other] = await tx.db
    .select({ id: agents.id })
    .from(agents)
    .where(
      and(
        eq(agents.partnerId, agent.partnerId),
        eq(agents.kind, 'AGENT'),
        eq(agents.status, 'ENABLED'),
        ne(agents.id, agent.id),
        sql`${ACCESS_ADMIN} = any(${agents.roles})`,
      ),
    )
    .limit(1);
  if (!other) {
    throw new DomainError(
      'LAST_ACCESS_ADMINISTRATOR',
      msg('partner.lastAccessAdministrator', { name: principalName(agent), change }),
      { field: ['agentId'] },
    );
  }
}

function notSelf(admin: AgentCaller, agentId: string, rule: Message): void {
  if (admin.agentId === agentId) throw fourEyes(rule);
}

/** The input field naming the target, and the action names of its events: agents' or applications'. */
const targetOf = (kind: PrincipalKind) =>
  kind === 'AGENT' ? { field: 'agentId', noun: 'AGENT' } : { field: 'applicationId', noun: 'APPLICATION' };

/** Changes an agent's or an application's display name or partner roles (never one's own roles). */
export async function updatePrincipal(
  ctx: ServiceContext,
  kind: PrincipalKind,
  input: { id: string; displayName?: string | null; roles?: PartnerRole[] | null },
): Promise<AgentRow> {
  const { noun } = targetOf(kind);
  const action = `UPDATE_${noun}`;
  const admin = await authorizePartnerChange(ctx, TASK, action);
  const errors: DomainError[] = [];
  if (input.displayName != null) {
    const problem = textViolation(input.displayName, 256, true);
    if (problem) errors.push(violated(['displayName'], 'displayName', problem));
  }
  const roles = input.roles ? [...new Set(input.roles)] : null;
  if (roles) {
    const problem = rolesViolation(roles);
    if (problem) errors.push(problem);
  }
  if (errors.length) throw errors.length === 1 ? errors[0]! : new ValidationErrors(errors);
  return commitPartnerChange(
    ctx,
    admin,
    action,
    async (tx) => {
      const agent = await lockedAgent(tx, admin, input.id, kind);
      const changes: { field: string; from: unknown; to: unknown }[] = [];
      if (input.displayName != null && input.displayName !== agent.displayName) {
        changes.push({ field: 'displayName', from: agent.displayName, to: input.displayName });
      }
      if (roles && [...roles].sort().join() !== [...agent.roles].sort().join()) {
        notSelf(admin, agent.id, msg('partner.fourEyesOwnRoles'));
        if (!roles.includes(ACCESS_ADMIN)) await assertAnotherAccessAdministrator(tx, agent, 'removeRole');
        changes.push({ field: 'partnerRoles', from: agent.roles, to: roles });
      }
      if (!changes.length) return { result: agent, event: agentEvent(agent, { changes }) };
      const [row] = await tx.db
        .update(agents)
        .set({
          displayName: input.displayName ?? agent.displayName,
          roles: roles ?? agent.roles,
          updatedAt: ctx.clock.now(),
        })
        .where(eq(agents.id, agent.id))
        .returning();
      return { result: row!, event: agentEvent(row!, { changes }) };
    },
    { targetType: kind, targetId: input.id },
  );
}

export const updateAgent = partnerTask(
  TASK,
  function updateAgent(
    ctx: ServiceContext,
    input: { agentId: string; displayName?: string | null; roles?: PartnerRole[] | null },
  ): Promise<AgentRow> {
    return updatePrincipal(ctx, 'AGENT', { ...input, id: input.agentId });
  },
);

/**
 * A change an access administrator makes to another agent or application: authorized, never on itself (`selfRule`
 * is the four-eyes refusal), on the target locked for the transaction, audited with it; a refusal is audited against the target.
 */
export async function changeOtherPrincipal<T, P = undefined>(
  ctx: ServiceContext,
  kind: PrincipalKind,
  action: string,
  agentId: string,
  selfRule: Message,
  body: (tx: ServiceContext, agent: AgentRow, prepared: P) => Promise<{ result: T; event: PartnerEvent }>,
  prepare?: () => Promise<P>,
): Promise<T> {
  const admin = await authorizePartnerChange(ctx, TASK, action);
  // Work done outside the transaction (a password hash), and only for an authorized caller.
  const prepared = (await prepare?.()) as P;
  return commitPartnerChange(
    ctx,
    admin,
    action,
    async (tx) => {
      notSelf(admin, agentId, selfRule);
      return body(tx, await lockedAgent(tx, admin, agentId, kind), prepared);
    },
    { targetType: kind, targetId: agentId },
  );
}

/** An agent or application losing its access at once: every session revoked, every open activation ended. */
async function cutOff(tx: ServiceContext, agent: AgentRow, now: Date) {
  return {
    sessionsRevoked: await revokeAgentSessions(tx.db, agent.id, now),
    activationsEnded: await endOpenActivations(tx.db, agent.partnerId, agent.id, null, now),
  };
}

/**
 * Disabling: every session (an application's every token) is revoked at once and sign-in refused; group memberships
 * stay for when it is enabled.
 */
export function disablePrincipal(ctx: ServiceContext, kind: PrincipalKind, agentId: string): Promise<AgentRow> {
  const { field, noun } = targetOf(kind);
  return changeOtherPrincipal(
    ctx,
    kind,
    `DISABLE_${noun}`,
    agentId,
    msg('partner.fourEyesDisableSelf'),
    async (tx, agent) => {
      if (agent.status === 'DISABLED')
        throw invalid([field], msg('partner.alreadyDisabled', { kind, name: principalName(agent) }), 'INVALID_STATE');
      await assertAnotherAccessAdministrator(tx, agent, 'disable');
      const [row] = await tx.db
        .update(agents)
        .set({ status: 'DISABLED', updatedAt: ctx.clock.now() })
        .where(eq(agents.id, agent.id))
        .returning();
      return { result: row!, event: agentEvent(row!, await cutOff(tx, agent, ctx.clock.now())) };
    },
  );
}

export function enablePrincipal(ctx: ServiceContext, kind: PrincipalKind, agentId: string): Promise<AgentRow> {
  const { field, noun } = targetOf(kind);
  return changeOtherPrincipal(
    ctx,
    kind,
    `ENABLE_${noun}`,
    agentId,
    msg('partner.fourEyesEnableSelf'),
    async (tx, agent) => {
      if (agent.status === 'ENABLED')
        throw invalid([field], msg('partner.alreadyEnabled', { kind, name: principalName(agent) }), 'INVALID_STATE');
      const [row] = await tx.db
        .update(agents)
        .set({ status: 'ENABLED', updatedAt: ctx.clock.now() })
        .where(eq(agents.id, agent.id))
        .returning();
      return { result: row!, event: agentEvent(row!) };
    },
  );
}

/**
 * Soft delete: the row stays for the audit trail (an agent keeps its email, so nobody else signs in as it later), its
 * memberships and sessions end, and it can neither sign in nor be enabled again. `extra` ends what else it held (an
 * application's client secrets).
 */
export function deletePrincipal(
  ctx: ServiceContext,
  kind: PrincipalKind,
  agentId: string,
  extra?: (tx: ServiceContext, agent: AgentRow) => Promise<Record<string, unknown>>,
): Promise<AgentRow> {
  const { noun } = targetOf(kind);
  return changeOtherPrincipal(
    ctx,
    kind,
    `DELETE_${noun}`,
    agentId,
    msg('partner.fourEyesDeleteSelf'),
    async (tx, agent) => {
      await assertAnotherAccessAdministrator(tx, agent, 'delete');
      const memberships = await tx.db
        .delete(groupMembers)
        .where(eq(groupMembers.agentId, agent.id))
        .returning({ groupId: groupMembers.groupId });
      const [row] = await tx.db
        .update(agents)
        .set({ status: 'DELETED', updatedAt: ctx.clock.now() })
        .where(eq(agents.id, agent.id))
        .returning();
      const cut = await cutOff(tx, agent, ctx.clock.now());
      const more = (await extra?.(tx, agent)) ?? {};
      return {
        result: row!,
        event: agentEvent(row!, { ...cut, ...more, groupsLeft: memberships.map((m) => m.groupId) }),
      };
    },
  );
}

export const disableAgent = partnerTask(TASK, function disableAgent(ctx: ServiceContext, agentId: string) {
  return disablePrincipal(ctx, 'AGENT', agentId);
});
export const enableAgent = partnerTask(TASK, function enableAgent(ctx: ServiceContext, agentId: string) {
  return enablePrincipal(ctx, 'AGENT', agentId);
});
export const deleteAgent = partnerTask(TASK, function deleteAgent(ctx: ServiceContext, agentId: string) {
  return deletePrincipal(ctx, 'AGENT', agentId);
});

/**
 * The server operator's way (CLI) to give an agent a new temporary password, for the cases the API refuses: an access
 * administrator locked out, or the partner's last one. Audited as the system.
 */
export async function operatorResetAgentPassword(
  ctx: ServiceContext,
  email: string,
): Promise<{ agent: AgentRow; temporaryPassword: string }> {
  const [found] = await ctx.db
    .select()
    .from(agents)
    .where(
      and(eq(agents.emailLower, email.trim().toLowerCase()), eq(agents.kind, 'AGENT'), ne(agents.status, 'DELETED')),
    );
  if (!found) throw notFound('agent');
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  // Audited as the system: the event's actor is the operator, not whoever `ctx` says is calling.
  return inTransaction({ ...ctx, caller: null }, async (tx) => {
    const [row] = await tx.db
      .update(agents)
      .set({ passwordHash, mustChangePassword: true, updatedAt: ctx.clock.now() })
      .where(eq(agents.id, found.id))
      .returning();
    const sessionsRevoked = await revokeAgentSessions(tx.db, found.id, ctx.clock.now());
    await recordPartnerEvent(
      tx,
      found.partnerId,
      'RESET_AGENT_PASSWORD',
      'SUCCESS',
      agentEvent(row!, { sessionsRevoked, by: 'operator' }),
    );
    return { agent: row!, temporaryPassword };
  });
}

/** A new temporary password, shown once: the agent must change it at its next sign-in; its sessions end. */
export const resetAgentPassword = partnerTask(
  TASK,
  function resetAgentPassword(
    ctx: ServiceContext,
    agentId: string,
  ): Promise<{ agent: AgentRow; temporaryPassword: string }> {
    const temporaryPassword = generateTemporaryPassword();
    return changeOtherPrincipal(
      ctx,
      'AGENT',
      'RESET_AGENT_PASSWORD',
      agentId,
      msg('partner.fourEyesResetOwnPassword'),
      async (tx, agent, passwordHash) => {
        // Knowing another access administrator's password would make one person two pairs of eyes.
        if (agent.roles.includes(ACCESS_ADMIN)) {
          throw fourEyes(msg('partner.fourEyesResetAccessAdministratorPassword'));
        }
        const [row] = await tx.db
          .update(agents)
          .set({ passwordHash, mustChangePassword: true, updatedAt: ctx.clock.now() })
          .where(eq(agents.id, agent.id))
          .returning();
        const sessionsRevoked = await revokeAgentSessions(tx.db, agent.id, ctx.clock.now());
        return { result: { agent: row!, temporaryPassword }, event: agentEvent(row!, { sessionsRevoked }) };
      },
      () => hashPassword(temporaryPassword),
    );
  },
);

// Agent management (ACCESS_ADMINISTRATOR): create, update, disable, enable, delete, password reset.
import type { PartnerRole } from '../../auth/roles.js';
import {
  createAgent,
  deleteAgent,
  disableAgent,
  enableAgent,
  resetAgentPassword,
  updateAgent,
} from '../../services/agents.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { runMutation } from '../errors.js';
import { decodeId } from '../ids.js';
import { PartnerRoleEnum, USER_ERRORS_DESCRIPTION, UserErrorRef } from '../types/common.js';
import { AgentRef } from '../types/refs.js';

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  description: 'A new agent of your partner.',
  fields: (t) => ({
    email: t.string({
      required: true,
      description: "The email it signs in with: unique, up to 254 characters, not on a customer's domain.",
    }),
    displayName: t.string({ required: true, description: 'Its name as people see it (up to 256 characters).' }),
    password: t.string({
      required: true,
      description: 'Its first password, by the password policy (the agent is not asked to change it).',
    }),
    roles: t.field({ type: [PartnerRoleEnum], required: true, description: 'Its partner roles.' }),
  }),
});
const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  description: "An agent's changes (the fields not given stay).",
  fields: (t) => ({
    agentId: t.id({ required: true, description: 'An Agent id.' }),
    displayName: t.string({ required: false, description: 'Its new display name.' }),
    roles: t.field({
      type: [PartnerRoleEnum],
      required: false,
      description: 'The full new set of partner roles (never your own).',
    }),
  }),
});
const AgentIdInput = builder.inputType('AgentIdInput', {
  description: 'Which agent.',
  fields: (t) => ({ agentId: t.id({ required: true, description: 'An Agent id.' }) }),
});
const AgentPayload = builder.simpleObject('AgentPayload', {
  description: 'The outcome of a change to an agent.',
  fields: (t) => ({
    agent: t.field({ type: AgentRef, nullable: true, description: 'The agent after the change.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const ResetAgentPasswordPayload = builder.simpleObject('ResetAgentPasswordPayload', {
  description: 'The agent and its new temporary password.',
  fields: (t) => ({
    agent: t.field({ type: AgentRef, nullable: true, description: 'The agent, mustChangePassword true.' }),
    temporaryPassword: t.string({
      nullable: true,
      description: 'Shown once; the agent must change it at its next sign-in.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const agentId = (input: { agentId: string }) => decodeId(input.agentId, 'Agent', ['agentId']);

builder.mutationFields((t) => ({
  createAgent: t.field({
    type: AgentPayload,
    description: 'Creates an agent, ENABLED, in no security group yet (so with no GDAP role).',
    directives: requiresPartnerTask(createAgent),
    args: { input: t.arg({ type: CreateAgentInput, required: true, description: 'The agent to create.' }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await createAgent(ctx.svc, input) })),
  }),
  updateAgent: t.field({
    type: AgentPayload,
    description:
      "Changes an agent's display name or partner roles. Nobody changes its own roles; the last enabled ACCESS_ADMINISTRATOR keeps that role.",
    directives: requiresPartnerTask(updateAgent),
    args: { input: t.arg({ type: UpdateAgentInput, required: true, description: 'The agent and its changes.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        agent: await updateAgent(ctx.svc, {
          agentId: agentId(input),
          displayName: input.displayName,
          roles: input.roles as PartnerRole[] | null | undefined,
        }),
      })),
  }),
  disableAgent: t.field({
    type: AgentPayload,
    description:
      'Offboarding: every session of the agent ends at once, its sign-in is refused and its running imports stop at their next batch.',
    directives: requiresPartnerTask(disableAgent),
    args: { input: t.arg({ type: AgentIdInput, required: true, description: 'The agent to disable.' }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await disableAgent(ctx.svc, agentId(input)) })),
  }),
  enableAgent: t.field({
    type: AgentPayload,
    description: 'Lets a disabled agent sign in again (its groups, so its GDAP roles, are as they were).',
    directives: requiresPartnerTask(enableAgent),
    args: { input: t.arg({ type: AgentIdInput, required: true, description: 'The agent to enable.' }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await enableAgent(ctx.svc, agentId(input)) })),
  }),
  deleteAgent: t.field({
    type: AgentPayload,
    description:
      'Soft delete: removed from every group, sessions revoked, never signs in again; kept for the audit trail.',
    directives: requiresPartnerTask(deleteAgent),
    args: { input: t.arg({ type: AgentIdInput, required: true, description: 'The agent to delete.' }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await deleteAgent(ctx.svc, agentId(input)) })),
  }),
  resetAgentPassword: t.field({
    type: ResetAgentPasswordPayload,
    description:
      'A new temporary password for an agent (returned once); its sessions are revoked and it must change the password at its next sign-in.',
    directives: requiresPartnerTask(resetAgentPassword),
    args: { input: t.arg({ type: AgentIdInput, required: true, description: 'The agent whose password to reset.' }) },
    resolve: (_, { input }, ctx) => runMutation(() => resetAgentPassword(ctx.svc, agentId(input))),
  }),
}));

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
import { PartnerRoleEnum, UserErrorRef } from '../types/common.js';
import { AgentRef } from '../types/refs.js';

const CreateAgentInput = builder.inputType('CreateAgentInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    displayName: t.string({ required: true }),
    password: t.string({ required: true }),
    roles: t.field({ type: [PartnerRoleEnum], required: true }),
  }),
});
const UpdateAgentInput = builder.inputType('UpdateAgentInput', {
  fields: (t) => ({
    agentId: t.id({ required: true }),
    displayName: t.string({ required: false }),
    roles: t.field({
      type: [PartnerRoleEnum],
      required: false,
      description: 'The full new set of partner roles (never your own).',
    }),
  }),
});
const AgentIdInput = builder.inputType('AgentIdInput', { fields: (t) => ({ agentId: t.id({ required: true }) }) });
const AgentPayload = builder.simpleObject('AgentPayload', {
  fields: (t) => ({
    agent: t.field({ type: AgentRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});
const ResetAgentPasswordPayload = builder.simpleObject('ResetAgentPasswordPayload', {
  fields: (t) => ({
    agent: t.field({ type: AgentRef, nullable: true }),
    temporaryPassword: t.string({
      nullable: true,
      description: 'Shown once; the agent must change it at its next sign-in.',
    }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const agentId = (input: { agentId: string }) => decodeId(input.agentId, 'Agent', ['agentId']);

builder.mutationFields((t) => ({
  createAgent: t.field({
    type: AgentPayload,
    directives: requiresPartnerTask(createAgent),
    args: { input: t.arg({ type: CreateAgentInput, required: true }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await createAgent(ctx.svc, input) })),
  }),
  updateAgent: t.field({
    type: AgentPayload,
    description:
      "Changes an agent's display name or partner roles. Nobody changes its own roles; the last enabled ACCESS_ADMINISTRATOR keeps that role.",
    directives: requiresPartnerTask(updateAgent),
    args: { input: t.arg({ type: UpdateAgentInput, required: true }) },
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
    args: { input: t.arg({ type: AgentIdInput, required: true }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await disableAgent(ctx.svc, agentId(input)) })),
  }),
  enableAgent: t.field({
    type: AgentPayload,
    directives: requiresPartnerTask(enableAgent),
    args: { input: t.arg({ type: AgentIdInput, required: true }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await enableAgent(ctx.svc, agentId(input)) })),
  }),
  deleteAgent: t.field({
    type: AgentPayload,
    description:
      'Soft delete: removed from every group, sessions revoked, never signs in again; kept for the audit trail.',
    directives: requiresPartnerTask(deleteAgent),
    args: { input: t.arg({ type: AgentIdInput, required: true }) },
    resolve: (_, { input }, ctx) => runMutation(async () => ({ agent: await deleteAgent(ctx.svc, agentId(input)) })),
  }),
  resetAgentPassword: t.field({
    type: ResetAgentPasswordPayload,
    directives: requiresPartnerTask(resetAgentPassword),
    args: { input: t.arg({ type: AgentIdInput, required: true }) },
    resolve: (_, { input }, ctx) => runMutation(() => resetAgentPassword(ctx.svc, agentId(input))),
  }),
}));

// Just-in-time elevation: the eligible agent activates; another access administrator approves or denies.
import { activateGroupMembership, approveActivation, denyActivation } from '../../services/activations.js';
import { updateSecurityGroup } from '../../services/security-groups.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { runMutation } from '../errors.js';
import { decodeId } from '../ids.js';
import { UserErrorRef } from '../types/common.js';
import { GroupActivationRef, SecurityGroupRef } from '../types/refs.js';

const ActivateInput = builder.inputType('ActivateGroupMembershipInput', {
  fields: (t) => ({
    groupId: t.id({ required: true }),
    justification: t.string({
      required: true,
      description: 'Why you need the roles now (shown to approvers and kept in the audit log).',
    }),
    minutes: t.int({
      required: false,
      description: "How long; at most the group's maxActivationMinutes (the default).",
    }),
  }),
});
const ActivationIdInput = builder.inputType('ApproveActivationInput', {
  fields: (t) => ({ activationId: t.id({ required: true }) }),
});
const DenyInput = builder.inputType('DenyActivationInput', {
  fields: (t) => ({ activationId: t.id({ required: true }), reason: t.string({ required: false }) }),
});
const UpdateGroupInput = builder.inputType('UpdateSecurityGroupInput', {
  fields: (t) => ({
    groupId: t.id({ required: true }),
    maxActivationMinutes: t.int({ required: false, description: '30 to 1440.' }),
    requiresApproval: t.boolean({ required: false }),
  }),
});
const ActivationPayload = builder.simpleObject('GroupActivationPayload', {
  fields: (t) => ({
    activation: t.field({ type: GroupActivationRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});
const GroupPayload = builder.simpleObject('UpdateSecurityGroupPayload', {
  fields: (t) => ({
    securityGroup: t.field({ type: SecurityGroupRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const activationId = (input: { activationId: string }) =>
  decodeId(input.activationId, 'GroupActivation', ['activationId']);

builder.mutationFields((t) => ({
  activateGroupMembership: t.field({
    type: ActivationPayload,
    description:
      "By an eligible member itself: the group's roles apply from now (or from another access administrator's approval, where the group requires it) for `minutes`.",
    args: { input: t.arg({ type: ActivateInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        activation: await activateGroupMembership(ctx.svc, {
          ...input,
          groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
        }),
      })),
  }),
  approveActivation: t.field({
    type: ActivationPayload,
    description: 'Approves a pending activation (never your own): the roles apply from now for the minutes asked.',
    directives: requiresPartnerTask(approveActivation),
    args: { input: t.arg({ type: ActivationIdInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ activation: await approveActivation(ctx.svc, activationId(input)) })),
  }),
  denyActivation: t.field({
    type: ActivationPayload,
    directives: requiresPartnerTask(denyActivation),
    args: { input: t.arg({ type: DenyInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        activation: await denyActivation(ctx.svc, { activationId: activationId(input), reason: input.reason }),
      })),
  }),
  updateSecurityGroup: t.field({
    type: GroupPayload,
    description: 'Just-in-time settings of a group (never of a group you are a member of).',
    directives: requiresPartnerTask(updateSecurityGroup),
    args: { input: t.arg({ type: UpdateGroupInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        securityGroup: await updateSecurityGroup(ctx.svc, {
          ...input,
          groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
        }),
      })),
  }),
}));

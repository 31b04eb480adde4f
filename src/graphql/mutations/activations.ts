// Just-in-time elevation: the eligible agent activates; another access administrator approves or denies.
import { activateGroupMembership, approveActivation, denyActivation } from '../../services/activations.js';
import { updateSecurityGroup } from '../../services/security-groups.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { runMutation } from '../errors.js';
import { decodeId } from '../ids.js';
import { USER_ERRORS_DESCRIPTION, UserErrorRef } from '../types/common.js';
import { GroupActivationRef, SecurityGroupRef } from '../types/refs.js';

const ActivateInput = builder.inputType('ActivateGroupMembershipInput', {
  description: 'The eligible membership to activate, why, and for how long.',
  fields: (t) => ({
    groupId: t.id({ required: true, description: 'A SecurityGroup id: a group you are an eligible member of.' }),
    justification: t.string({
      required: true,
      description: 'Why you need the roles now, up to 500 characters (shown to approvers and kept in the audit log).',
    }),
    minutes: t.int({
      required: false,
      description: "How long, in minutes: 1 to the group's maxActivationMinutes (the default).",
    }),
  }),
});
const ActivationIdInput = builder.inputType('ApproveActivationInput', {
  description: 'Which pending activation.',
  fields: (t) => ({ activationId: t.id({ required: true, description: 'A GroupActivation id.' }) }),
});
const DenyInput = builder.inputType('DenyActivationInput', {
  description: 'The pending activation to deny, and why.',
  fields: (t) => ({
    activationId: t.id({ required: true, description: 'A GroupActivation id.' }),
    reason: t.string({ required: false, description: 'Why, for the requester (up to 500 characters).' }),
  }),
});
const UpdateGroupInput = builder.inputType('UpdateSecurityGroupInput', {
  description: "A group's just-in-time settings to change (those not given stay).",
  fields: (t) => ({
    groupId: t.id({ required: true, description: 'A SecurityGroup id.' }),
    maxActivationMinutes: t.int({ required: false, description: '30 to 1440.' }),
    requiresApproval: t.boolean({
      required: false,
      description: "Activations wait for another ACCESS_ADMINISTRATOR's approval.",
    }),
  }),
});
const ActivationPayload = builder.simpleObject('GroupActivationPayload', {
  description: 'The outcome of an activation request or decision.',
  fields: (t) => ({
    activation: t.field({ type: GroupActivationRef, nullable: true, description: 'The activation, as it now stands.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const GroupPayload = builder.simpleObject('UpdateSecurityGroupPayload', {
  description: 'The outcome of updateSecurityGroup.',
  fields: (t) => ({
    securityGroup: t.field({ type: SecurityGroupRef, nullable: true, description: 'The group after the change.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const activationId = (input: { activationId: string }) =>
  decodeId(input.activationId, 'GroupActivation', ['activationId']);

builder.mutationFields((t) => ({
  activateGroupMembership: t.field({
    type: ActivationPayload,
    description:
      "By an eligible member itself: the group's roles apply from now (or from another access administrator's approval, where the group requires it) for `minutes`.",
    args: { input: t.arg({ type: ActivateInput, required: true, description: 'The group, why and how long.' }) },
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
    args: { input: t.arg({ type: ActivationIdInput, required: true, description: 'The activation to approve.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ activation: await approveActivation(ctx.svc, activationId(input)) })),
  }),
  denyActivation: t.field({
    type: ActivationPayload,
    description: 'Refuses a pending activation (never your own): the roles do not apply (DENIED).',
    directives: requiresPartnerTask(denyActivation),
    args: { input: t.arg({ type: DenyInput, required: true, description: 'The activation to deny, and why.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        activation: await denyActivation(ctx.svc, { activationId: activationId(input), reason: input.reason }),
      })),
  }),
  updateSecurityGroup: t.field({
    type: GroupPayload,
    description: 'Just-in-time settings of a group (never of a group you are a member of).',
    directives: requiresPartnerTask(updateSecurityGroup),
    args: { input: t.arg({ type: UpdateGroupInput, required: true, description: 'The group and its new settings.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        securityGroup: await updateSecurityGroup(ctx.svc, {
          ...input,
          groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
        }),
      })),
  }),
}));

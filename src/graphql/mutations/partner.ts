// Sign-in and the partner side: agents, groups, customers, subscriptions, GDAP.
import { addDomain, addSubscription, createCustomer } from '../../services/customers.js';
import {
  approveGdapRelationship,
  assignGdapAccess,
  createGdapRelationship,
  getGdapRelationship,
  removeGdapAccess,
  terminateGdapRelationship,
} from '../../services/gdap.js';
import {
  addGroupMember,
  createSecurityGroup,
  deleteSecurityGroup,
  removeGroupMember,
} from '../../services/security-groups.js';
import { changePassword, signIn, signOut, signOutEverywhere } from '../../services/sessions.js';
import { getSku } from '../../services/skus.js';
import { builder, requiresPartnerTask } from '../builder.js';
import { runMutation } from '../errors.js';
import { decodeId, decodePrincipalId, decodeScopedId } from '../ids.js';
import { MembershipKindEnum } from '../types/activation.js';
import { DirectoryRoleEnum, UserErrorRef } from '../types/common.js';
import { CustomerRef, DomainRef, GdapRelationshipRef, LicenseRef, SecurityGroupRef, UserRef } from '../types/refs.js';

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true, description: "An agent's email or a customer user's user principal name." }),
    password: t.string({ required: true }),
  }),
});
const SignInPayload = builder.simpleObject('SignInPayload', {
  fields: (t) => ({
    token: t.string({ nullable: true, description: 'Send as Authorization: Bearer <token>.' }),
    expiresAt: t.field({ type: 'DateTime', nullable: true }),
    mustChangePassword: t.boolean({ nullable: true, description: 'True: call changePassword before anything else.' }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({ currentPassword: t.string({ required: true }), newPassword: t.string({ required: true }) }),
});
const OkPayload = builder.simpleObject('OkPayload', {
  fields: (t) => ({ ok: t.boolean({ nullable: true }), userErrors: t.field({ type: [UserErrorRef] }) }),
});

const CreateSecurityGroupInput = builder.inputType('CreateSecurityGroupInput', {
  fields: (t) => ({ name: t.string({ required: true }) }),
});
const SecurityGroupIdInput = builder.inputType('DeleteSecurityGroupInput', {
  fields: (t) => ({ groupId: t.id({ required: true }) }),
});
const GroupMemberInput = builder.inputType('SecurityGroupMemberInput', {
  fields: (t) => ({ groupId: t.id({ required: true }), agentId: t.id({ required: true }) }),
});
const AddGroupMemberInput = builder.inputType('AddSecurityGroupMemberInput', {
  fields: (t) => ({
    groupId: t.id({ required: true }),
    agentId: t.id({ required: true }),
    kind: t.field({
      type: MembershipKindEnum,
      required: false,
      description:
        'ACTIVE (the default): permanent. ELIGIBLE: the agent activates it when needed (just in time). Adding an existing member changes its kind.',
    }),
  }),
});
const SecurityGroupPayload = builder.simpleObject('SecurityGroupPayload', {
  fields: (t) => ({
    securityGroup: t.field({ type: SecurityGroupRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    defaultDomain: t.string({ required: true, description: 'e.g. contoso.onmicrosoft.com' }),
    adminFirstName: t.string({ required: false }),
    adminLastName: t.string({ required: false }),
  }),
});
const CreateCustomerPayload = builder.simpleObject('CreateCustomerPayload', {
  fields: (t) => ({
    customer: t.field({ type: CustomerRef, nullable: true }),
    globalAdministrator: t.field({
      type: UserRef,
      nullable: true,
      description: "The customer's first Global Administrator.",
    }),
    temporaryPassword: t.string({
      nullable: true,
      description: 'Shown once; the administrator must change it at first sign-in.',
    }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const AddDomainInput = builder.inputType('AddCustomerDomainInput', {
  fields: (t) => ({ customerId: t.id({ required: true }), name: t.string({ required: true }) }),
});
const DomainPayload = builder.simpleObject('DomainPayload', {
  fields: (t) => ({
    domain: t.field({ type: DomainRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const AddSubscriptionInput = builder.inputType('AddSubscriptionInput', {
  fields: (t) => ({
    customerId: t.id({ required: true }),
    skuId: t.id({ required: true }),
    seats: t.int({
      required: true,
      description: 'Seats to add (a new subscription, or more seats on the existing one).',
    }),
  }),
});
const SubscriptionPayload = builder.simpleObject('AddSubscriptionPayload', {
  fields: (t) => ({
    license: t.field({ type: LicenseRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});

const CreateGdapInput = builder.inputType('CreateGdapRelationshipInput', {
  fields: (t) => ({
    customerId: t.id({ required: true }),
    displayName: t.string({ required: true }),
    roles: t.field({ type: [DirectoryRoleEnum], required: true }),
    durationDays: t.int({ required: true, description: '1 to 730 days.' }),
    autoExtend: t.boolean({
      required: false,
      description: 'Extend by 180 days at the end (not with GLOBAL_ADMINISTRATOR).',
    }),
  }),
});
const CreateGdapPayload = builder.simpleObject('CreateGdapRelationshipPayload', {
  fields: (t) => ({
    relationship: t.field({ type: GdapRelationshipRef, nullable: true }),
    approvalToken: t.string({
      nullable: true,
      description: "Give it to the customer's Global Administrator to approve.",
    }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});
const ApproveGdapInput = builder.inputType('ApproveGdapRelationshipInput', {
  fields: (t) => ({ approvalToken: t.string({ required: true }) }),
});
const GdapPayload = builder.simpleObject('GdapRelationshipPayload', {
  fields: (t) => ({
    relationship: t.field({ type: GdapRelationshipRef, nullable: true }),
    userErrors: t.field({ type: [UserErrorRef] }),
  }),
});
const AssignGdapAccessInput = builder.inputType('AssignGdapAccessInput', {
  fields: (t) => ({
    relationshipId: t.id({ required: true }),
    groupId: t.id({ required: true }),
    roles: t.field({ type: [DirectoryRoleEnum], required: true, description: "A subset of the relationship's roles." }),
  }),
});
const RemoveGdapAccessInput = builder.inputType('RemoveGdapAccessInput', {
  fields: (t) => ({ relationshipId: t.id({ required: true }), groupId: t.id({ required: true }) }),
});
const SignOutEverywherePayload = builder.simpleObject('SignOutEverywherePayload', {
  fields: (t) => ({ sessionsRevoked: t.int({ nullable: true }), userErrors: t.field({ type: [UserErrorRef] }) }),
});
const RelationshipIdInput = builder.inputType('TerminateGdapRelationshipInput', {
  fields: (t) => ({ relationshipId: t.id({ required: true }) }),
});

const memberIds = (input: { groupId: string; agentId: string }) => ({
  groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
  agentId: decodePrincipalId(input.agentId, ['agentId']),
});

builder.mutationFields((t) => ({
  signIn: t.field({
    type: SignInPayload,
    description: 'Exchanges an email (or UPN) and password for a bearer token.',
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(() =>
        signIn(ctx.svc, input, {
          tokenTtlMs: ctx.config.tokenTtlMs,
          clientMaxFailures: ctx.config.signInClientMaxFailures,
        }),
      ),
  }),
  signOut: t.field({
    type: OkPayload,
    description: 'Revokes the token of this request.',
    resolve: (_, __, ctx) =>
      runMutation(async () => {
        await signOut(ctx.svc);
        return { ok: true };
      }),
  }),
  changePassword: t.field({
    type: OkPayload,
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        await changePassword(ctx.svc, input);
        return { ok: true };
      }),
  }),
  signOutEverywhere: t.field({
    type: SignOutEverywherePayload,
    description: 'Revokes every session of the signed-in agent, this one included (a lost laptop, a leaked token).',
    resolve: (_, __, ctx) => runMutation(async () => ({ sessionsRevoked: await signOutEverywhere(ctx.svc) })),
  }),
  createSecurityGroup: t.field({
    type: SecurityGroupPayload,
    directives: requiresPartnerTask(createSecurityGroup),
    args: { input: t.arg({ type: CreateSecurityGroupInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ securityGroup: await createSecurityGroup(ctx.svc, input) })),
  }),
  deleteSecurityGroup: t.field({
    type: SecurityGroupPayload,
    description:
      'Deletes a group with its memberships and GDAP assignments (never one you are a member of). Returns the group as it was.',
    directives: requiresPartnerTask(deleteSecurityGroup),
    args: { input: t.arg({ type: SecurityGroupIdInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        securityGroup: await deleteSecurityGroup(ctx.svc, decodeId(input.groupId, 'SecurityGroup', ['groupId'])),
      })),
  }),
  addSecurityGroupMember: t.field({
    type: SecurityGroupPayload,
    description:
      'Puts an agent or an application (agentId takes either id) in a group: it holds the GDAP roles of the group at once. Never yourself (four eyes); an application is only ever an ACTIVE member.',
    directives: requiresPartnerTask(addGroupMember),
    args: { input: t.arg({ type: AddGroupMemberInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        securityGroup: await addGroupMember(ctx.svc, { ...memberIds(input), kind: input.kind }),
      })),
  }),
  removeSecurityGroupMember: t.field({
    type: SecurityGroupPayload,
    description:
      'Takes an agent or an application (agentId takes either id) out of a group: the roles the group holds through GDAP stop applying to it at once. Never yourself (four eyes).',
    directives: requiresPartnerTask(removeGroupMember),
    args: { input: t.arg({ type: GroupMemberInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        securityGroup: await removeGroupMember(ctx.svc, memberIds(input)),
      })),
  }),
  createCustomer: t.field({
    type: CreateCustomerPayload,
    directives: requiresPartnerTask(createCustomer),
    args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
    resolve: (_, { input }, ctx) => runMutation(() => createCustomer(ctx.svc, input)),
  }),
  addCustomerDomain: t.field({
    type: DomainPayload,
    description: 'Adds a verified domain to a customer (verification by DNS is outside this API).',
    directives: requiresPartnerTask(addDomain),
    args: { input: t.arg({ type: AddDomainInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        domain: await addDomain(ctx.svc, {
          customerId: decodeId(input.customerId, 'Customer', ['customerId']),
          name: input.name,
        }),
      })),
  }),
  addSubscription: t.field({
    type: SubscriptionPayload,
    directives: requiresPartnerTask(addSubscription),
    args: { input: t.arg({ type: AddSubscriptionInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const subscription = await addSubscription(ctx.svc, {
          customerId: decodeId(input.customerId, 'Customer', ['customerId']),
          skuId: decodeId(input.skuId, 'Sku', ['skuId']),
          seats: input.seats,
        });
        return { license: { subscription, sku: (await getSku(ctx.svc, subscription.skuId))! } };
      }),
  }),
  createGdapRelationship: t.field({
    type: CreateGdapPayload,
    description: 'Requests a relationship; it is APPROVAL_PENDING until the customer approves it.',
    directives: requiresPartnerTask(createGdapRelationship),
    args: { input: t.arg({ type: CreateGdapInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(() =>
        createGdapRelationship(ctx.svc, {
          ...input,
          customerId: decodeId(input.customerId, 'Customer', ['customerId']),
        }),
      ),
  }),
  approveGdapRelationship: t.field({
    type: GdapPayload,
    description: 'Called by a signed-in Global Administrator of the customer: the relationship becomes ACTIVE.',
    args: { input: t.arg({ type: ApproveGdapInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ relationship: await approveGdapRelationship(ctx.svc, input) })),
  }),
  assignGdapAccess: t.field({
    type: GdapPayload,
    description:
      "Grants a security group some of the relationship's roles (replacing what the group had). Never a group you are a member of (four eyes).",
    directives: requiresPartnerTask(assignGdapAccess),
    args: { input: t.arg({ type: AssignGdapAccessInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const rel = decodeScopedId(input.relationshipId, 'GdapRelationship', ['relationshipId']);
        await assignGdapAccess(ctx.svc, {
          customerId: rel.customerId,
          relationshipId: rel.id,
          groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
          roles: input.roles,
        });
        return { relationship: await getGdapRelationship(ctx.svc, rel.customerId, rel.id) };
      }),
  }),
  removeGdapAccess: t.field({
    type: GdapPayload,
    description: "Takes a security group's roles in the relationship away (never from a group you are a member of).",
    directives: requiresPartnerTask(removeGdapAccess),
    args: { input: t.arg({ type: RemoveGdapAccessInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const rel = decodeScopedId(input.relationshipId, 'GdapRelationship', ['relationshipId']);
        await removeGdapAccess(ctx.svc, {
          customerId: rel.customerId,
          relationshipId: rel.id,
          groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
        });
        return { relationship: await getGdapRelationship(ctx.svc, rel.customerId, rel.id) };
      }),
  }),
  terminateGdapRelationship: t.field({
    type: GdapPayload,
    directives: requiresPartnerTask(terminateGdapRelationship),
    args: { input: t.arg({ type: RelationshipIdInput, required: true }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => {
        const rel = decodeScopedId(input.relationshipId, 'GdapRelationship', ['relationshipId']);
        return {
          relationship: await terminateGdapRelationship(ctx.svc, {
            customerId: rel.customerId,
            relationshipId: rel.id,
          }),
        };
      }),
  }),
}));

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
import { DirectoryRoleEnum, USER_ERRORS_DESCRIPTION, UserErrorRef } from '../types/common.js';
import { CustomerRef, DomainRef, GdapRelationshipRef, LicenseRef, SecurityGroupRef, UserRef } from '../types/refs.js';

const SignInInput = builder.inputType('SignInInput', {
  description: 'The credentials to sign in with.',
  fields: (t) => ({
    email: t.string({ required: true, description: "An agent's email or a customer user's user principal name." }),
    password: t.string({ required: true, description: 'The password (a temporary one signs in only to change it).' }),
  }),
});
const SignInPayload = builder.simpleObject('SignInPayload', {
  description: 'A bearer token, or why there is none.',
  fields: (t) => ({
    token: t.string({ nullable: true, description: 'Send as Authorization: Bearer <token>.' }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, description: 'When the token stops working.' }),
    mustChangePassword: t.boolean({ nullable: true, description: 'True: call changePassword before anything else.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  description: 'The current password and the new one.',
  fields: (t) => ({
    currentPassword: t.string({ required: true, description: 'The password in use (the temporary one, if so).' }),
    newPassword: t.string({
      required: true,
      description: 'The new password: it must meet the password policy and differ from the current one.',
    }),
  }),
});
const OkPayload = builder.simpleObject('OkPayload', {
  description: 'The outcome of a mutation that returns nothing else.',
  fields: (t) => ({
    ok: t.boolean({ nullable: true, description: 'True when done (null when refused).' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const CreateSecurityGroupInput = builder.inputType('CreateSecurityGroupInput', {
  description: 'A new security group.',
  fields: (t) => ({ name: t.string({ required: true, description: 'Its name, unique in the partner.' }) }),
});
const SecurityGroupIdInput = builder.inputType('DeleteSecurityGroupInput', {
  description: 'Which security group.',
  fields: (t) => ({ groupId: t.id({ required: true, description: 'A SecurityGroup id.' }) }),
});
const GroupMemberInput = builder.inputType('SecurityGroupMemberInput', {
  description: 'A member of a security group.',
  fields: (t) => ({
    groupId: t.id({ required: true, description: 'A SecurityGroup id.' }),
    agentId: t.id({ required: true, description: 'An Agent or an Application id.' }),
  }),
});
const AddGroupMemberInput = builder.inputType('AddSecurityGroupMemberInput', {
  description: 'The member to add to a security group, and how.',
  fields: (t) => ({
    groupId: t.id({ required: true, description: 'A SecurityGroup id.' }),
    agentId: t.id({ required: true, description: 'An Agent or an Application id.' }),
    kind: t.field({
      type: MembershipKindEnum,
      required: false,
      description:
        'ACTIVE (the default): permanent. ELIGIBLE: the agent activates it when needed (just in time). Adding an existing member changes its kind.',
    }),
  }),
});
const SecurityGroupPayload = builder.simpleObject('SecurityGroupPayload', {
  description: 'The outcome of a change to a security group.',
  fields: (t) => ({
    securityGroup: t.field({ type: SecurityGroupRef, nullable: true, description: 'The group after the change.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
  description: 'A new customer tenant and its first Global Administrator.',
  fields: (t) => ({
    name: t.string({ required: true, description: "The organization's name (up to 256 characters)." }),
    defaultDomain: t.string({
      required: true,
      description: 'e.g. contoso.onmicrosoft.com; the administrator is admin@ this domain.',
    }),
    adminFirstName: t.string({
      required: false,
      description: "The Global Administrator's first name (default: Global).",
    }),
    adminLastName: t.string({
      required: false,
      description: "The Global Administrator's last name (default: Administrator).",
    }),
  }),
});
const CreateCustomerPayload = builder.simpleObject('CreateCustomerPayload', {
  description: 'The new customer, its Global Administrator and that one-time password.',
  fields: (t) => ({
    customer: t.field({ type: CustomerRef, nullable: true, description: 'The customer created.' }),
    globalAdministrator: t.field({
      type: UserRef,
      nullable: true,
      description: "The customer's first Global Administrator.",
    }),
    temporaryPassword: t.string({
      nullable: true,
      description: 'Shown once; the administrator must change it at first sign-in.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const AddDomainInput = builder.inputType('AddCustomerDomainInput', {
  description: 'A domain to add to a customer.',
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'A Customer id.' }),
    name: t.string({ required: true, description: 'The domain name, e.g. contoso.com (no other tenant may have it).' }),
  }),
});
const DomainPayload = builder.simpleObject('DomainPayload', {
  description: 'The outcome of addCustomerDomain.',
  fields: (t) => ({
    domain: t.field({ type: DomainRef, nullable: true, description: 'The domain added.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const AddSubscriptionInput = builder.inputType('AddSubscriptionInput', {
  description: 'Licence seats to add to a customer.',
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'A Customer id.' }),
    skuId: t.id({ required: true, description: 'A Sku id (Query.skus lists them).' }),
    seats: t.int({
      required: true,
      description: 'Seats to add (a new subscription, or more seats on the existing one).',
    }),
  }),
});
const SubscriptionPayload = builder.simpleObject('AddSubscriptionPayload', {
  description: 'The outcome of addSubscription.',
  fields: (t) => ({
    license: t.field({ type: LicenseRef, nullable: true, description: 'The subscription with its new seat count.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});

const CreateGdapInput = builder.inputType('CreateGdapRelationshipInput', {
  description: 'A GDAP relationship to request from a customer.',
  fields: (t) => ({
    customerId: t.id({ required: true, description: 'A Customer id.' }),
    displayName: t.string({ required: true, description: "Its name, unique among the partner's relationships." }),
    roles: t.field({
      type: [DirectoryRoleEnum],
      required: true,
      description: 'The directory roles asked for (at least one).',
    }),
    durationDays: t.int({ required: true, description: '1 to 730 days.' }),
    autoExtend: t.boolean({
      required: false,
      description: 'Extend by 180 days at the end (not with GLOBAL_ADMINISTRATOR).',
    }),
  }),
});
const CreateGdapPayload = builder.simpleObject('CreateGdapRelationshipPayload', {
  description: 'The requested relationship and the token the customer approves it with.',
  fields: (t) => ({
    relationship: t.field({
      type: GdapRelationshipRef,
      nullable: true,
      description: 'The relationship, APPROVAL_PENDING.',
    }),
    approvalToken: t.string({
      nullable: true,
      description: "Give it to the customer's Global Administrator to approve.",
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const ApproveGdapInput = builder.inputType('ApproveGdapRelationshipInput', {
  description: 'The relationship to approve, by its token.',
  fields: (t) => ({
    approvalToken: t.string({ required: true, description: 'The approvalToken createGdapRelationship returned.' }),
  }),
});
const GdapPayload = builder.simpleObject('GdapRelationshipPayload', {
  description: 'The outcome of a change to a GDAP relationship.',
  fields: (t) => ({
    relationship: t.field({
      type: GdapRelationshipRef,
      nullable: true,
      description: 'The relationship after the change.',
    }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const AssignGdapAccessInput = builder.inputType('AssignGdapAccessInput', {
  description: 'Roles of a relationship to grant a security group.',
  fields: (t) => ({
    relationshipId: t.id({ required: true, description: 'A GdapRelationship id.' }),
    groupId: t.id({ required: true, description: 'A SecurityGroup id.' }),
    roles: t.field({ type: [DirectoryRoleEnum], required: true, description: "A subset of the relationship's roles." }),
  }),
});
const RemoveGdapAccessInput = builder.inputType('RemoveGdapAccessInput', {
  description: "A security group's assignment in a relationship, to remove.",
  fields: (t) => ({
    relationshipId: t.id({ required: true, description: 'A GdapRelationship id.' }),
    groupId: t.id({ required: true, description: 'A SecurityGroup id.' }),
  }),
});
const SignOutEverywherePayload = builder.simpleObject('SignOutEverywherePayload', {
  description: 'The outcome of signOutEverywhere.',
  fields: (t) => ({
    sessionsRevoked: t.int({ nullable: true, description: 'How many sessions ended, this one included.' }),
    userErrors: t.field({ type: [UserErrorRef], description: USER_ERRORS_DESCRIPTION }),
  }),
});
const RelationshipIdInput = builder.inputType('TerminateGdapRelationshipInput', {
  description: 'Which GDAP relationship.',
  fields: (t) => ({ relationshipId: t.id({ required: true, description: 'A GdapRelationship id.' }) }),
});

const memberIds = (input: { groupId: string; agentId: string }) => ({
  groupId: decodeId(input.groupId, 'SecurityGroup', ['groupId']),
  agentId: decodePrincipalId(input.agentId, ['agentId']),
});

builder.mutationFields((t) => ({
  signIn: t.field({
    type: SignInPayload,
    description: 'Exchanges an email (or UPN) and password for a bearer token.',
    args: { input: t.arg({ type: SignInInput, required: true, description: 'The email (or UPN) and password.' }) },
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
      runMutation(
        async () => {
          await signOut(ctx.svc);
          return { ok: true as boolean };
        },
        { ok: false },
      ),
  }),
  changePassword: t.field({
    type: OkPayload,
    description:
      "Changes the signed-in agent's or user's own password (a temporary one first of all); its other sessions are revoked, this one goes on.",
    args: {
      input: t.arg({ type: ChangePasswordInput, required: true, description: 'The current and the new password.' }),
    },
    resolve: (_, { input }, ctx) =>
      runMutation(
        async () => {
          await changePassword(ctx.svc, input);
          return { ok: true as boolean };
        },
        { ok: false },
      ),
  }),
  signOutEverywhere: t.field({
    type: SignOutEverywherePayload,
    description: 'Revokes every session of the signed-in agent, this one included (a lost laptop, a leaked token).',
    resolve: (_, __, ctx) => runMutation(async () => ({ sessionsRevoked: await signOutEverywhere(ctx.svc) })),
  }),
  createSecurityGroup: t.field({
    type: SecurityGroupPayload,
    description: 'Creates an empty security group (no members, no GDAP roles).',
    directives: requiresPartnerTask(createSecurityGroup),
    args: { input: t.arg({ type: CreateSecurityGroupInput, required: true, description: 'The group to create.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ securityGroup: await createSecurityGroup(ctx.svc, input) })),
  }),
  deleteSecurityGroup: t.field({
    type: SecurityGroupPayload,
    description:
      'Deletes a group with its memberships and GDAP assignments (never one you are a member of). Returns the group as it was.',
    directives: requiresPartnerTask(deleteSecurityGroup),
    args: { input: t.arg({ type: SecurityGroupIdInput, required: true, description: 'The group to delete.' }) },
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
    args: {
      input: t.arg({ type: AddGroupMemberInput, required: true, description: 'The group, the member and how.' }),
    },
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
    args: { input: t.arg({ type: GroupMemberInput, required: true, description: 'The group and the member.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({
        securityGroup: await removeGroupMember(ctx.svc, memberIds(input)),
      })),
  }),
  createCustomer: t.field({
    type: CreateCustomerPayload,
    description:
      'Creates a customer tenant with its default domain and a Global Administrator (admin@ that domain, temporary password returned once). Agents work in it only after a GDAP relationship.',
    directives: requiresPartnerTask(createCustomer),
    args: {
      input: t.arg({ type: CreateCustomerInput, required: true, description: 'The customer and its administrator.' }),
    },
    resolve: (_, { input }, ctx) => runMutation(() => createCustomer(ctx.svc, input)),
  }),
  addCustomerDomain: t.field({
    type: DomainPayload,
    description: 'Adds a verified domain to a customer (verification by DNS is outside this API).',
    directives: requiresPartnerTask(addDomain),
    args: { input: t.arg({ type: AddDomainInput, required: true, description: 'The customer and the domain.' }) },
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
    description:
      "Adds licence seats of a product to a customer: a new subscription, or more seats on the customer's one.",
    directives: requiresPartnerTask(addSubscription),
    args: {
      input: t.arg({
        type: AddSubscriptionInput,
        required: true,
        description: 'The customer, the product and the seats.',
      }),
    },
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
    args: {
      input: t.arg({ type: CreateGdapInput, required: true, description: 'The customer, the roles and the term.' }),
    },
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
    args: { input: t.arg({ type: ApproveGdapInput, required: true, description: 'The approval token.' }) },
    resolve: (_, { input }, ctx) =>
      runMutation(async () => ({ relationship: await approveGdapRelationship(ctx.svc, input) })),
  }),
  assignGdapAccess: t.field({
    type: GdapPayload,
    description:
      "Grants a security group some of the relationship's roles (replacing what the group had). Never a group you are a member of (four eyes).",
    directives: requiresPartnerTask(assignGdapAccess),
    args: {
      input: t.arg({
        type: AssignGdapAccessInput,
        required: true,
        description: 'The relationship, the group and the roles.',
      }),
    },
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
    args: {
      input: t.arg({ type: RemoveGdapAccessInput, required: true, description: 'The relationship and the group.' }),
    },
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
    description:
      'Ends a relationship at once, for good (TERMINATED): its roles stop applying to every group, and a pending one can no longer be approved.',
    directives: requiresPartnerTask(terminateGdapRelationship),
    args: {
      input: t.arg({ type: RelationshipIdInput, required: true, description: 'The relationship to terminate.' }),
    },
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

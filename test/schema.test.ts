import { readFileSync } from 'node:fs';
import { getDirectiveInExtensions } from '@graphql-tools/utils';
import { type GraphQLEnumType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DIRECTORY_ROLES } from '../src/auth/roles.js';
import { buildSchema, printSchema } from '../src/graphql/schema.js';
import { ACCESS_ERROR_CODES, type ErrorCode, USER_ERROR_CODES } from '../src/services/errors.js';
import { TASK_ROLES } from './support/access-oracle.js';

describe('error codes', () => {
  it('every code the services can emit is a value of UserErrorCode (payloads) and, for access codes, AccessErrorCode', () => {
    const schema = buildSchema();
    const values = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.name);
    // Every code a DomainError may carry, from the type the services use; a code added there and not to an enum fails.
    const all: Record<ErrorCode, true> = Object.fromEntries(
      [...USER_ERROR_CODES, ...ACCESS_ERROR_CODES].map((c) => [c, true]),
    ) as Record<ErrorCode, true>;
    expect(values('UserErrorCode').sort()).toEqual(Object.keys(all).sort());
    expect(values('AccessErrorCode').sort()).toEqual([...ACCESS_ERROR_CODES].sort());
  });
});

describe('schema/schema.graphql', () => {
  it('is what the code prints (run npm run schema:print after changing the schema)', () => {
    expect(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8')).toBe(printSchema());
  });

  it('shows on each field the task DESIGN.md gives it, with the roles of its table', () => {
    // Written out here from DESIGN.md, not read from the code: a field moved to another task, or a task's roles
    // changed in src/auth/roles.ts only, fails this test.
    const R = 'READ_CUSTOMER';
    const CUSTOMER: Record<string, string[]> = {
      'BulkJob.resultCsv': [R],
      'BulkJob.rows': [R],
      'Customer.auditEvents': [R],
      'Customer.deletedUsers': [R],
      'Customer.gdapRelationships': [R],
      'Customer.licenses': [R],
      'Customer.user': [R],
      'Customer.users': [R],
      'License.users': [R],
      'Query.customer': [R],
      'Query.customers': [R],
      'Query.auditEvents': [R],
      'Query.exportUsers': [R],
      'Subscription.bulkJobProgress': [R],
      'Mutation.createUser': ['CREATE_USER'],
      'Mutation.bulkJobCredentials': ['CREATE_USER'],
      'Mutation.importUsers': ['CREATE_USER', 'EDIT_USER_LICENSES', 'EDIT_USER_ROLES'],
      'Mutation.deleteUser': ['DELETE_USER'],
      'Mutation.deleteUsers': ['DELETE_USER'],
      'Mutation.restoreUser': ['RESTORE_USER'],
      'Mutation.restoreUsers': ['RESTORE_USER'],
      'Mutation.updateUser': ['EDIT_USER_INFO', 'EDIT_USER_ROLES', 'EDIT_USER_LICENSES'],
      'Mutation.resetUserPassword': ['RESET_PASSWORD'],
    };
    const AA = ['ACCESS_ADMINISTRATOR'],
      ADMIN = ['ADMIN_AGENT'],
      BOTH = ['ADMIN_AGENT', 'ACCESS_ADMINISTRATOR'];
    const PARTNER: Record<string, [string, string[]]> = {
      'Mutation.addCustomerDomain': ['MANAGE_CUSTOMERS', ADMIN],
      'Mutation.addSubscription': ['MANAGE_CUSTOMERS', ADMIN],
      'Mutation.createCustomer': ['MANAGE_CUSTOMERS', ADMIN],
      'Mutation.createGdapRelationship': ['MANAGE_RELATIONSHIPS', ADMIN],
      'Mutation.terminateGdapRelationship': ['MANAGE_RELATIONSHIPS', ADMIN],
      'Mutation.createAgent': ['MANAGE_AGENTS', AA],
      'Mutation.updateAgent': ['MANAGE_AGENTS', AA],
      'Mutation.deleteAgent': ['MANAGE_AGENTS', AA],
      'Mutation.disableAgent': ['MANAGE_AGENTS', AA],
      'Mutation.enableAgent': ['MANAGE_AGENTS', AA],
      'Mutation.resetAgentPassword': ['MANAGE_AGENTS', AA],
      'Mutation.createApplication': ['MANAGE_AGENTS', AA],
      'Mutation.updateApplication': ['MANAGE_AGENTS', AA],
      'Mutation.deleteApplication': ['MANAGE_AGENTS', AA],
      'Mutation.disableApplication': ['MANAGE_AGENTS', AA],
      'Mutation.enableApplication': ['MANAGE_AGENTS', AA],
      'Mutation.addApplicationSecret': ['MANAGE_AGENTS', AA],
      'Mutation.removeApplicationSecret': ['MANAGE_AGENTS', AA],
      'Mutation.createSecurityGroup': ['MANAGE_GROUPS', AA],
      'Mutation.updateSecurityGroup': ['MANAGE_GROUPS', AA],
      'Mutation.deleteSecurityGroup': ['MANAGE_GROUPS', AA],
      'Mutation.addSecurityGroupMember': ['MANAGE_GROUPS', AA],
      'Mutation.removeSecurityGroupMember': ['MANAGE_GROUPS', AA],
      'Mutation.assignGdapAccess': ['ASSIGN_GDAP_ACCESS', AA],
      'Mutation.removeGdapAccess': ['ASSIGN_GDAP_ACCESS', AA],
      'Mutation.approveActivation': ['APPROVE_ACTIVATIONS', AA],
      'Mutation.denyActivation': ['APPROVE_ACTIVATIONS', AA],
      'Partner.pendingActivations': ['APPROVE_ACTIVATIONS', AA],
      'Partner.auditEvents': ['READ_PARTNER_AUDIT', AA],
      'Partner.agents': ['READ_PARTNER', BOTH],
      'Partner.gdapRelationships': ['READ_PARTNER', BOTH],
      'Partner.securityGroups': ['READ_PARTNER', BOTH],
      'SecurityGroup.members': ['READ_PARTNER', BOTH],
      'SecurityGroup.applications': ['READ_PARTNER', BOTH],
      'Partner.applications': ['READ_PARTNER', BOTH],
      'Application.secrets': ['READ_PARTNER', BOTH],
      'Partner.webhookSubscriptions': ['MANAGE_WEBHOOKS', AA],
      'WebhookSubscription.deliveries': ['MANAGE_WEBHOOKS', AA],
      'Mutation.createWebhookSubscription': ['MANAGE_WEBHOOKS', AA],
      'Mutation.rotateWebhookSecret': ['MANAGE_WEBHOOKS', AA],
      'Mutation.deleteWebhookSubscription': ['MANAGE_WEBHOOKS', AA],
      'Mutation.redeliverWebhook': ['MANAGE_WEBHOOKS', AA],
    };
    const roles = (task: string) =>
      (task === R ? [...DIRECTORY_ROLES] : TASK_ROLES[task as keyof typeof TASK_ROLES]).slice().sort();
    const schema = buildSchema();
    const customer: Record<string, string[]> = {};
    const partner: Record<string, [string, string[]]> = {};
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const at = `${type.name}.${field.name}`;
        for (const d of getDirectiveInExtensions(field, 'requiresRole') ?? []) {
          (customer[at] ??= []).push(d.task);
          expect([...d.anyOf].sort(), `${at} ${d.task}`).toEqual(roles(d.task));
          expect(d.partnerRole, at).toBe('ADMIN_AGENT');
        }
        for (const d of getDirectiveInExtensions(field, 'requiresPartnerRole') ?? []) partner[at] = [d.task, d.anyOf];
      }
    }
    expect(customer).toEqual(CUSTOMER);
    expect(partner).toEqual(PARTNER);
    for (const m of ['createUser', 'deleteUser', 'restoreUser', 'resetUserPassword', 'updateUser']) {
      // A described argument prints on its own line, after its description.
      expect(printSchema()).toMatch(
        new RegExp(`\\n  ${m}\\((?:\\s*"""[^"]*"""\\s*)?input: \\w+!\\s*\\): \\w+! @requiresRole`),
      );
    }
  });
});

describe('fields graphql-jit reads inline', () => {
  it('every connection edge’s node, a user’s state and a licence’s SKU have no resolver (one less resolve info each)', () => {
    const schema = buildSchema();
    const edges = Object.values(schema.getTypeMap()).filter((t) => isObjectType(t) && t.name.endsWith('Edge'));
    expect(edges.length).toBeGreaterThan(5);
    for (const edge of edges) {
      if (isObjectType(edge)) expect([edge.name, edge.getFields().node?.resolve]).toEqual([edge.name, undefined]);
    }
    const fieldsOf = (name: string) => {
      const type = schema.getType(name);
      return isObjectType(type) ? type.getFields() : {};
    };
    expect(fieldsOf('User').state).toBeDefined();
    expect(fieldsOf('User').state?.resolve).toBeUndefined();
    expect(fieldsOf('LicenseAssignment').sku).toBeDefined();
    expect(fieldsOf('LicenseAssignment').sku?.resolve).toBeUndefined();
  });
});

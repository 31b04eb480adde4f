// Object refs, declared apart from their fields so the type files can refer to each other.

import type { ActivationRow, Membership } from '../../services/activations.js';
import type { AgentRow } from '../../services/agents.js';
import type { ApplicationRow, ApplicationSecretRow } from '../../services/applications.js';
import type { AuditEventRow } from '../../services/audit.js';
import type { RoleGrant } from '../../services/context.js';
import type { CustomerRow, DomainRow, License } from '../../services/customers.js';
import type { AccessAssignmentRow, RelationshipRow } from '../../services/gdap.js';
import type { PartnerAuditEventRow } from '../../services/partner-audit.js';
import type { PartnerRow } from '../../services/partners.js';
import type { GroupRow } from '../../services/security-groups.js';
import type { SessionInfo } from '../../services/sessions.js';
import type { SkuRow } from '../../services/skus.js';
import type { UserLicense, UserNode } from '../../services/users/row.js';
import { builder } from '../builder.js';

export const CustomerRef = builder.objectRef<CustomerRow>('Customer');
export const DomainRef = builder.objectRef<DomainRow>('Domain');
export const UserRef = builder.objectRef<UserNode>('User');
export const SkuRef = builder.objectRef<SkuRow>('Sku');
export const LicenseRef = builder.objectRef<License>('License');
export const UserLicenseRef = builder.objectRef<UserLicense>('LicenseAssignment');
export const AgentRef = builder.objectRef<AgentRow>('Agent');
export const PartnerRef = builder.objectRef<PartnerRow>('Partner');
export const SecurityGroupRef = builder.objectRef<GroupRow>('SecurityGroup');
export const RoleGrantRef = builder.objectRef<RoleGrant>('RoleGrant');
export const GdapRelationshipRef = builder.objectRef<RelationshipRow>('GdapRelationship');
export const AccessAssignmentRef = builder.objectRef<{ assignment: AccessAssignmentRow; group: GroupRow }>(
  'AccessAssignment',
);
export const AuditEventRef = builder.objectRef<AuditEventRow>('AuditEvent');
export const PartnerAuditEventRef = builder.objectRef<PartnerAuditEventRow>('PartnerAuditEvent');
export const SessionRef = builder.objectRef<SessionInfo>('Session');
export const GroupActivationRef = builder.objectRef<ActivationRow>('GroupActivation');
export const GroupMembershipRef = builder.objectRef<Membership>('GroupMembership');
export const ApplicationRef = builder.objectRef<ApplicationRow>('Application');
export const ApplicationSecretRef = builder.objectRef<ApplicationSecretRow>('ApplicationSecret');

// inTransaction: whatever is written through the context it hands out (audit events included) commits or rolls back
// with the transaction; commitPartnerChange still records a refusal after its rollback.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { auditEvents, customers, partnerAuditEvents, partners } from '../src/db/schema.js';
import { msg } from '../src/messages/index.js';
import { recordAudit } from '../src/services/audit.js';
import type { AgentCaller } from '../src/services/authorization.js';
import { inTransaction, type ServiceContext, serviceContext } from '../src/services/context.js';
import { commitPartnerChange, fourEyes, recordPartnerEvent } from '../src/services/partner-audit.js';

let database: Database;
let ctx: ServiceContext;
let partnerId: string;
let customerId: string;
let agent: AgentCaller;

beforeAll(async () => {
  database = await openDatabase({ url: 'memory://' });
  await database.migrate();
  const [partner] = await database.db.insert(partners).values({ name: 'Contoso Partner' }).returning();
  partnerId = partner!.id;
  const [customer] = await database.db.insert(customers).values({ partnerId, name: 'Fabrikam' }).returning();
  customerId = customer!.id;
  agent = {
    kind: 'agent',
    principal: 'AGENT',
    agentId: randomUUID(),
    partnerId,
    partnerRoles: ['ACCESS_ADMINISTRATOR'],
    name: 'Ada',
    email: 'ada@partner.example',
    mustChangePassword: false,
    tokenHash: '',
  };
  ctx = serviceContext(database.db, new ManualClock(new Date('2030-01-01T00:00:00Z')), agent);
});
afterAll(() => database.close());

const auditActions = async () =>
  (await database.db.select().from(auditEvents).where(eq(auditEvents.customerId, customerId))).map((e) => e.action);
const partnerActions = async () =>
  (await database.db.select().from(partnerAuditEvents).where(eq(partnerAuditEvents.partnerId, partnerId))).map(
    (e) => `${e.action}:${e.outcome}`,
  );

class Rollback extends Error {}

describe('inTransaction', () => {
  it('rolls the events recorded through its context back with the transaction', async () => {
    await expect(
      inTransaction(ctx, async (tx) => {
        expect(tx.db).not.toBe(ctx.db);
        expect(tx.caller).toBe(ctx.caller);
        expect(tx.grantCache).toBe(ctx.grantCache);
        await recordAudit(tx, { customerId, action: 'ROLLED_BACK', outcome: 'SUCCESS' });
        await recordPartnerEvent(tx, partnerId, 'ROLLED_BACK', 'SUCCESS', {});
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await auditActions()).not.toContain('ROLLED_BACK');
    expect(await partnerActions()).not.toContain('ROLLED_BACK:SUCCESS');
  });

  it('commits them with it, and a nested call rolls back only its savepoint', async () => {
    await inTransaction(ctx, async (tx) => {
      await recordAudit(tx, { customerId, action: 'COMMITTED', outcome: 'SUCCESS' });
      await expect(
        inTransaction(tx, async (sp) => {
          await recordAudit(sp, { customerId, action: 'SAVEPOINT_ROLLED_BACK', outcome: 'SUCCESS' });
          throw new Rollback();
        }),
      ).rejects.toBeInstanceOf(Rollback);
    });
    const actions = await auditActions();
    expect(actions).toContain('COMMITTED');
    expect(actions).not.toContain('SAVEPOINT_ROLLED_BACK');
  });

  it('commitPartnerChange: a refusal rolls the change and its event back, and is recorded as DENIED after', async () => {
    await expect(
      commitPartnerChange(ctx, agent, 'REFUSED_CHANGE', async (tx) => {
        await recordAudit(tx, { customerId, action: 'REFUSED_CHANGE', outcome: 'SUCCESS' });
        throw fourEyes(msg('partner.fourEyesDeleteSelf'));
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await auditActions()).not.toContain('REFUSED_CHANGE');
    const partner = await partnerActions();
    expect(partner).toContain('REFUSED_CHANGE:DENIED');
    expect(partner).not.toContain('REFUSED_CHANGE:SUCCESS');
  });
});

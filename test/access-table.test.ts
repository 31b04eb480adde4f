// The task table and Entra's who-can-reset table, exhaustively, as plain functions: every task × every caller
// holding one or two directory roles × every target holding none, one or two, against DESIGN.md's tables as written
// out in support/access-oracle.ts. The HTTP tests (escalation, authorization) prove each mutation is wired to them.
import { describe, expect, it } from 'vitest';
import {
  allowsOnTarget,
  allowsTask,
  DIRECTORY_ROLES,
  type DirectoryRole,
  TASKS,
  type Task,
} from '../src/auth/roles.js';
import { authorizeOnTarget, type CustomerAccess } from '../src/services/authorization.js';
import { DomainError } from '../src/services/errors.js';
import { expected, type Outcome } from './support/access-oracle.js';

const singles = DIRECTORY_ROLES.map((r) => [r]);
const pairs = DIRECTORY_ROLES.flatMap((a, i) => DIRECTORY_ROLES.slice(i + 1).map((b) => [a, b]));
const CALLERS: DirectoryRole[][] = [[], ...singles, ...pairs];
const TARGETS: (DirectoryRole[] | null)[] = [null, [], ...singles, ...pairs];

/** What the code decides: the task's roles (allowsTask), then the rule on the target (allowsOnTarget). */
function decided(task: Task, caller: DirectoryRole[], target: DirectoryRole[] | null): Outcome {
  const held = new Set(caller);
  if (!allowsTask(held, task)) return 'FORBIDDEN_TASK';
  return target === null || allowsOnTarget(held, task, target) ? 'ALLOWED' : 'FORBIDDEN_TARGET';
}

/** The same decision as the services meet it: authorizeOnTarget throws FORBIDDEN naming the target's role. */
function thrown(task: Task, caller: DirectoryRole[], target: DirectoryRole[]): Outcome {
  const access = { agent: {}, customerId: 'c', roles: new Set(caller) } as unknown as CustomerAccess;
  try {
    authorizeOnTarget(access, task, target);
    return 'ALLOWED';
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== 'FORBIDDEN' || !e.details.targetRole) throw e;
    return 'FORBIDDEN_TARGET';
  }
}

describe('task × caller roles × target roles', () => {
  for (const task of Object.keys(TASKS) as Task[]) {
    it(`${task}: ${CALLERS.length} callers × ${TARGETS.length} targets as DESIGN.md says`, () => {
      const wrong: string[] = [];
      const seen = new Set<Outcome>();
      for (const caller of CALLERS) {
        for (const target of TARGETS) {
          const want = expected(task, caller, target);
          const got = decided(task, caller, target);
          seen.add(got);
          if (got !== want)
            wrong.push(`[${caller}] on ${target ? `[${target}]` : 'no target'}: expected ${want}, got ${got}`);
          else if (target && want !== 'FORBIDDEN_TASK' && thrown(task, caller, target) !== want) {
            wrong.push(`[${caller}] on [${target}]: authorizeOnTarget disagrees (${want} expected)`);
          }
        }
      }
      expect(wrong.slice(0, 20)).toEqual([]);
      // Every task refuses someone (no dead branch), and the target rule bites exactly where DESIGN.md has one.
      expect(seen).toContain('ALLOWED');
      expect(seen).toContain('FORBIDDEN_TASK');
      const targetRule = ['RESET_PASSWORD', 'DELETE_USER', 'RESTORE_USER', 'EDIT_USER_INFO'].includes(task);
      expect(seen.has('FORBIDDEN_TARGET')).toBe(targetRule);
    });
  }

  it('a refusal on a target names its most protected role and who could do it', () => {
    const access = { agent: {}, customerId: 'c', roles: new Set(['USER_ADMINISTRATOR']) } as unknown as CustomerAccess;
    expect(() => authorizeOnTarget(access, 'RESET_PASSWORD', ['REPORTS_READER', 'GLOBAL_ADMINISTRATOR'])).toThrow(
      'Target holds GLOBAL_ADMINISTRATOR; resetting its password needs PRIVILEGED_AUTHENTICATION_ADMINISTRATOR.',
    );
  });
});

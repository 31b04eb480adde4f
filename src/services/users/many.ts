// A call for many users (deleteUsers, restoreUsers): a bounded list, each user on its own, every user answered.
import { logError } from '../../log.js';
import { msg } from '../../messages/index.js';
import { DomainError, invalid, ValidationErrors } from '../errors.js';

export const MAX_BULK_IDS = 1000;

/** Refuses a list longer than MAX_BULK_IDS before anything is done. */
export function checkManyUsers(userIds: readonly string[]): void {
  if (userIds.length > MAX_BULK_IDS)
    throw invalid(['userIds'], msg('users.tooManyIds', { max: MAX_BULK_IDS, given: userIds.length }), 'LIMIT_EXCEEDED');
}

/**
 * One user's outcome in a call for many: a domain error is that user's answer, and so is an unexpected one (logged,
 * reported as INTERNAL), so the caller always learns what happened to every id, including those done before it.
 */
export async function settle<T extends object>(
  userId: string,
  run: () => Promise<T>,
): Promise<T | { userId: string; error: DomainError }> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ValidationErrors) return { userId, error: e.errors[0]! };
    if (e instanceof DomainError) return { userId, error: e };
    logError(`user ${userId}`, e);
    return {
      userId,
      error: new DomainError('INTERNAL', msg('common.internal'), { field: ['userIds'] }),
    };
  }
}

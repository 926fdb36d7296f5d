/**
 * A service key (role `service`) acts for end users' wallets on seed 004's routes: the wallet's
 * user is created on first use, and the job is that user's, with that user's points and limits.
 */
import type { FastifyRequest } from 'fastify';
import type { Job } from '../jobs/model.js';
import { ALL_JOBS } from '../jobs/store.js';
import type { Caller } from './caller.js';
import { callerOf, scopeOf } from './caller.js';
import type { ApiContext } from './context.js';
import { HttpError } from './http-errors.js';

/**
 * The caller a generate request runs as: a user key as itself (its own wallet only), a service key
 * as the user of `walletAddress`, created when the wallet is new. Admin keys stay themselves.
 */
export async function generatingCaller(
  ctx: ApiContext,
  request: FastifyRequest,
  walletAddress: string | undefined,
): Promise<Caller> {
  const caller = callerOf(request);
  if (caller.role !== 'service') {
    if (walletAddress !== undefined && walletAddress !== caller.walletAddress) {
      throw new HttpError('WALLET_MISMATCH', 'walletAddress must be the wallet of the calling API key');
    }
    return caller;
  }
  if (walletAddress === undefined) {
    throw new HttpError(
      'VALIDATION_FAILED',
      'A service key must name the wallet it acts for: walletAddress',
      {
        field: 'walletAddress',
      },
    );
  }
  const user = await ctx.users.ensureWalletUser(walletAddress);
  if (user.role !== 'user') {
    throw new HttpError(
      'WALLET_MISMATCH',
      `Wallet ${walletAddress} belongs to a ${user.role} account; a service key acts only for end users' wallets`,
    );
  }
  return { userId: user.id, role: 'user', walletAddress, keyId: caller.keyId };
}

/**
 * A job as the caller may read it on seed 004's routes: a service key reads the jobs of end users
 * (role `user`), never an admin's or another service's; the others read as everywhere else.
 */
export async function readableJob(
  ctx: ApiContext,
  request: FastifyRequest,
  jobId: string,
): Promise<Job | null> {
  if (callerOf(request).role !== 'service') return ctx.app.jobs.get(jobId, scopeOf(request));
  const job = await ctx.app.jobs.get(jobId, ALL_JOBS);
  if (!job?.userId) return null;
  const owner = await ctx.users.getUser(job.userId);
  return owner?.role === 'user' ? job : null;
}

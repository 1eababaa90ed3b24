// When a failed webhook delivery is tried again: exponential back-off from a base, capped, for a
// bounded number of attempts. With the defaults (10 s base, 1 h cap, 12 attempts) a delivery is
// retried for 3 h 25 min (the sum of the eleven waits) before it is marked failed.

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 10_000, capMs: 3_600_000, maxAttempts: 12 };

/** The wait after failed attempt `attempt` (1-based): base · 2^(attempt−1), at most the cap. */
export function retryDelayMs(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** When to try again after failed attempt `attempt`, or null when the attempts are used up. */
export function nextAttemptAt(attempt: number, failedAt: Date, policy: RetryPolicy = DEFAULT_RETRY): Date | null {
  return attempt >= policy.maxAttempts ? null : new Date(failedAt.getTime() + retryDelayMs(attempt, policy));
}

/**
 * Runs `task` every `intervalMs`, never two at once, and stops cleanly. Timers that must run once
 * across processes wrap their task in the leader lease's `only` (leader.ts).
 */
export function every(intervalMs: number, task: () => Promise<void>, onError: (error: unknown) => void): () => Promise<void> {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = task().catch(onError).finally(() => (running = null));
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

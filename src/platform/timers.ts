/**
 * Runs `task` every `intervalMs`, never two at once, and stops cleanly. Timers like this run on
 * the leader only once the platform runs as several processes (cluster issue).
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

/**
 * Flapping (ISA-18.2 "chattering"): a (sensor, rule) pair that opens more than FLAP_OPENS times
 * within FLAP_WINDOW_MS is flapping. ISA-18.2 counts 3 transitions a minute on plant DCS alarms;
 * city sensors report every 5 s to 15 min, so the window is half an hour: the 5th opening (or
 * re-opening) within 30 minutes marks the episode flapping. It is notified once, then muted; an
 * episode opened while the pair is still flapping stays muted, and one that stays active for a
 * whole window is a standing alarm again and is handled normally.
 */
export const FLAP_OPENS = 4;
export const FLAP_WINDOW_MS = 30 * 60_000;

export interface FlappingPolicy {
  opens: number;
  windowMs: number;
}
export const DEFAULT_FLAPPING: FlappingPolicy = { opens: FLAP_OPENS, windowMs: FLAP_WINDOW_MS };

/** Whether `opensInWindow` openings (this one included) make the pair flapping. */
export function isFlapping(policy: FlappingPolicy, opensInWindow: number): boolean {
  return opensInWindow > policy.opens;
}

/** A flapping episode mutes only while it is young: active a whole window, it stands. */
export function flappingMutes(policy: FlappingPolicy, openedAt: Date, now: Date): boolean {
  return now.getTime() - openedAt.getTime() < policy.windowMs;
}

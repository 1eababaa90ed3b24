// The drainage programme's periodic checks, run by the platform's timer (on the leader only once
// the platform runs as several processes): missed patrols, station classes, rain classes.
import type { AlarmChange } from '../detect/index.ts';
import type { Db } from '../store/index.ts';
import { checkMissedPatrols } from './facilities/index.ts';
import { checkRain, checkWaterClasses } from './water-env/index.ts';

export async function runDrainageChecks(db: Db, now: Date, timeZone: string): Promise<AlarmChange[]> {
  const patrols = await checkMissedPatrols(db, now);
  const water = await checkWaterClasses(db, now, timeZone);
  const rain = await checkRain(db, now);
  return [...patrols, ...water.changes, ...rain];
}

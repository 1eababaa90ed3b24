import { countAssets, insertAssets, insertDevices, insertOrganisations, insertSensors } from '../network/index.ts';
import type { Db } from '../store/index.ts';
import { seedDrainageProgramme } from '../drainage/programme-demo/index.ts';
import { seedDemoInspections } from '../drainage/inspections/demo.ts';
import { demoCity } from './demo-city.ts';

/**
 * Loads the demo city into an empty database, with its sample drainage campaign (dated from
 * `now`, days in `timeZone`); returns false (and changes nothing) otherwise.
 */
export async function seedDemoCity(db: Db, options: { now?: Date; timeZone?: string } = {}): Promise<boolean> {
  return db.transaction(async (tx) => {
    if ((await countAssets(tx)) > 0) return false;
    const city = demoCity();
    await insertOrganisations(tx, city.organisations);
    await insertAssets(tx, city.assets);
    await insertDevices(tx, city.devices);
    await insertSensors(tx, city.sensors);
    await seedDrainageProgramme(tx, options.now ?? new Date(), options.timeZone ?? 'Asia/Shanghai');
    await seedDemoInspections(tx, options.now ?? new Date());
    return true;
  });
}

import { countAssets, insertAssets, insertDevices, insertOrganisations, insertSensors } from '../network/index.ts';
import { inTurn, LOCKS, type Db, type Queryable } from '../store/index.ts';
import { seedDrainageProgramme } from '../drainage/programme-demo/index.ts';
import { seedDemoInspections } from '../drainage/inspections/demo.ts';
import { demoCity } from './demo-city.ts';

/**
 * Loads the demo city into an empty database, with its sample drainage campaign (dated from
 * `now`, days in `timeZone`); returns false (and changes nothing) otherwise.
 */
export async function seedDemoCity(db: Db, options: { now?: Date; timeZone?: string } = {}): Promise<boolean> {
  return inTurn(db, LOCKS.startup, async (tx) => {
    if ((await countAssets(tx)) > 0) return false;
    await insertDemoNetwork(tx);
    await seedDrainageProgramme(tx, options.now ?? new Date(), options.timeZone ?? 'Asia/Shanghai');
    await seedDemoInspections(tx, options.now ?? new Date());
    return true;
  });
}

/** The demo city's organisations, assets, devices and sensors only: what the early schema versions hold (migration tests). */
export async function insertDemoNetwork(db: Queryable): Promise<void> {
  const city = demoCity();
  await insertOrganisations(db, city.organisations);
  await insertAssets(db, city.assets);
  await insertDevices(db, city.devices);
  await insertSensors(db, city.sensors);
}

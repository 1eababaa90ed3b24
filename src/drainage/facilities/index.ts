export {
  addMaintenance, addShifts, checkIn, checkMissedPatrols, createPatrol, ensurePatrolSensor, FACILITY_TYPES, FacilityError, facilityOwner, listFacilities,
  listPatrols, listShifts, MISSED_PATROL_LEVEL, PATROL_INDICATOR, patrolOf,
} from './repository.ts';
export type { Facility, FacilityType, HealthEntry, Patrol, Shift, Telemetry } from './repository.ts';
export { dayRoster, dueTimes, localMidnight, missedPatrols, nextDue, zoneOffsetMinutes } from './schedule.ts';
export type { PatrolSchedule, ShiftSlot } from './schedule.ts';

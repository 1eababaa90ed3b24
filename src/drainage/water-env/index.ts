export { classRank, deterioration, isWaterClass, RAIN_CLASS_EN, RAIN_CLASSES, RAIN_LOWER_12H, RAIN_LOWER_24H, rainClass, rainClass12h, rainClass24h, rainLevel } from './classes.ts';
export type { Deterioration, RainClass } from './classes.ts';
export { checkRain, checkWaterClasses, listStations, localDate, RAIN_INDICATOR, rainStates, riverTrend, stationDays, stationSamples } from './service.ts';
export type { RainState, RiverTrendDay, SampleClass, Station } from './service.ts';

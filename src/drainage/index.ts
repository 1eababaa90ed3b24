export { classify, classifyDays, classifyItem, denoise, GB3838_LIMITS, WATER_CLASSES } from './water-quality.ts';
export type { Classification, DailyClass, DailyMean, ItemLimits, Waterbody, WaterClass, WaterSample } from './water-quality.ts';

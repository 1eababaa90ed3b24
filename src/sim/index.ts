export { demoCity, DEMO_ORGANISATIONS, DEMO_RULES, DEMO_SENSORS } from './demo-city.ts';
export type { DemoCity, DemoSensorSpec } from './demo-city.ts';
export { seedDemoCity } from './seed.ts';
export { simulatedValue, startSimulator } from './simulator.ts';
export type { Simulator, SimulatorOptions } from './simulator.ts';

export { demoCity, DEMO_ORGANISATIONS, DEMO_SENSORS } from './demo-city.ts';
export type { DemoCity, DemoSensorSpec } from './demo-city.ts';
export { insertDemoNetwork, seedDemoCity } from './seed.ts';
export { simulatedSensors, simulatedValue, startSimulator } from './simulator.ts';
export type { SimSensor, Simulator, SimulatorOptions } from './simulator.ts';

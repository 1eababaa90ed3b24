export * from './grading.ts';

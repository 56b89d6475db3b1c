export * from './world/index.ts';
export * from './model/index.ts';
export * from './experiment/index.ts';
export * from './charts/index.ts';
export * from './rl/index.ts';

export * from './world/index.ts';
export * from './model/index.ts';

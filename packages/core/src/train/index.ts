export { BatchOrder } from './batch_order.ts';
export type { BatchOrderOptions } from './batch_order.ts';
export { seedRng } from './seeding.ts';
export { restoreTraining, saveTraining, tensorsUnder, trainingTensors } from './training_checkpoint.ts';
export type { ParameterHolder, TrainingParts } from './training_checkpoint.ts';
export { trainLoop } from './train_loop.ts';
export type { TrainLoopOptions } from './train_loop.ts';

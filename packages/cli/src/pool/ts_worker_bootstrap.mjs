// Worker entry: registers tsx's loader in this thread (workers do not inherit the main thread's hooks),
// then imports the TypeScript worker module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.routelabWorkerModule);

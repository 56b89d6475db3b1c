// Side effects that tfjs-core leaves to its users: gradient functions for every op and chained ops such as
// `t.add(u)`. The @tensorflow/tfjs umbrella package registers both (in Node its CommonJS bundle carries them;
// tfjs-core's own ES module files cannot be imported by Node directly). Imported once, before any backend.
import '@tensorflow/tfjs';
import { env } from '@tensorflow/tfjs-core';

// PROD silences tfjs's console banners (e.g. the cpu backend's advice to install tfjs-node); routelab
// reports what it found through `routelab info` instead.
env().set('PROD', true);

#!/usr/bin/env node
// The routelab command. The packages are TypeScript run from source through tsx (no build step to forget).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

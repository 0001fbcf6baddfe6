#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so the installed agent is exactly the code in agent/src.
import { register } from 'tsx/esm/api';

register();
await import('../agent/src/cli/main.ts');

#!/usr/bin/env node
// The `cairn` command: Node 22 runs the TypeScript sources directly.
import '../app/cli/main.ts';

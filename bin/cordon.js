#!/usr/bin/env node
// The CLI entry. cordon's sources are TypeScript run natively by Node 24 (type stripping).
import { runCli } from "../src/cli/main.ts";

process.exitCode = await runCli(process.argv.slice(2));

/**
 * The workspace's ESLint configuration: typescript-eslint's recommended rules for TypeScript and
 * backend-guard's own rules for sources and package.json files.
 */
import json from '@eslint/json';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import backendGuard from './tools/backend-guard/src/eslint/index.ts';

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', 'tools/backend-guard/test/fixtures/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
  },
  {
    files: ['**/package.json'],
    plugins: { json },
    language: 'json/json',
  },
  // backend-guard: the backend diagnostic at each app's ensureSingleBackend() call, apps (not
  // libraries) choose the backend, only @tsvmm/crypto touches backend libraries, valid features.
  backendGuard.configs.recommended,
  {
    // Build tools run in Node at build time and are never bundled into an app, so they may use
    // node:crypto (the Nx plugin hashes cache keys with it).
    files: ['tools/**/*.ts'],
    rules: { 'backend-guard/no-direct-backend-import': 'off' },
  },
);

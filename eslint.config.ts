/**
 * The workspace's ESLint configuration: typescript-eslint's recommended rules for TypeScript and
 * backend-guard's own rules for sources and package.json files.
 */
import json from '@eslint/json';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

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
);

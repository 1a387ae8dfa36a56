/** Every rule of the plugin, by name (the name of its file, doc and test). */
import ensureSingleBackend from './ensure-single-backend.ts';
import noBackendInLibrary from './no-backend-in-library.ts';
import noDirectBackendImport from './no-direct-backend-import.ts';
import requireEnsureSingleBackend from './require-ensure-single-backend.ts';
import validFeatures from './valid-features.ts';

/** Rules for TypeScript sources. */
export const sourceRules = {
  'ensure-single-backend': ensureSingleBackend,
  'no-direct-backend-import': noDirectBackendImport,
  'require-ensure-single-backend': requireEnsureSingleBackend,
};

/** Rules for package.json files (`@eslint/json`'s `json/json` language). */
export const packageJsonRules = {
  'no-backend-in-library': noBackendInLibrary,
  'valid-features': validFeatures,
};

export const rules = { ...sourceRules, ...packageJsonRules };

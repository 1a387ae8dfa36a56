/**
 * backend-guard: Cargo-style features for package.json with mutually exclusive groups, and the
 * proof that each app links exactly one crypto backend. This is the public API; the esbuild, Vite
 * and Nx plugins have their own entry points (`@tsvmm/backend-guard/esbuild`, `/vite`, `/nx`).
 */
export { appsOf, checkApps, type AppCheck, type AppRequest } from './app/check-apps.ts';
export { buildApp, resolvedFeatures, type BuildAppOptions, type BuildAppResult } from './build/build-app.ts';
export { checkApp, ENSURE_SINGLE_BACKEND_SYMBOL, type BackendDiagnostic } from './diagnostic/ensure-single-backend.ts';
export { ManifestError, ManifestProblem, type ManifestProblemCode } from './manifest/errors.ts';
export type { DependencyDecl, ExclusiveGroup, FeatureValue, Manifest } from './manifest/manifest.ts';
export { loadWorkspace, readWorkspace, type Workspace } from './manifest/workspace.ts';
export { chainsTo, type ChainStep } from './resolver/chains.ts';
export { resolve, Resolution, ResolveRequestError, UNIFICATIONS, type ResolveRequest, type Unification } from './resolver/resolve.ts';
export { renderWhyTree, whyTree, type WhyNode } from './why/why.ts';

/**
 * Stands in for @tensorflow/tfjs-backend-webgl in the Lambda bundles (esbuild alias, see
 * infra/constructs/bundling.ts): Lambda has no GPU and no WebGL, and the real module is ~340 KB of
 * bundle that would only be loaded and never used. @tensorflow/tfjs re-exports the module and reads
 * its version; nothing else of it is used.
 */
export const version_webgl = 'not bundled (no WebGL on Lambda)';

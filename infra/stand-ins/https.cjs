// `node:https` for the Lambda bundles, as CommonJS: see BUILTIN_ALIASES in infra/bundling.ts.
module.exports = process.getBuiltinModule('node:https');

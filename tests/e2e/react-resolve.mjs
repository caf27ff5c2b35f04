// Module hook for react.test.mjs: resolves `react` and `react-dom` (imported by
// pkg/src/react.js, where no node_modules holds them) from the demo's own dependencies.
const WWW = new URL("../../www/package.json", import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (/^react(-dom)?(\/|$)/.test(specifier)) return next(specifier, { ...context, parentURL: WWW });
  return next(specifier, context);
}

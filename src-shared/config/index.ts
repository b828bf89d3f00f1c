export * from './schema';
export * from './errors';
export { formatPath, parsePath, displayPath } from './path';
export type { PathSegment } from './path';
export { UNSUPPORTED_KEYS, type UnsupportedKey } from './unsupported';
export { checkConfigText, yamlReason, type ConfigDiagnostic, type ConfigTextCheck } from './check-text';

export { resolveEnv, envPairs, buildSeed, PROTECTED_PREFIX } from './resolve';
export type { ResolveEnvInput, ResolvedEnv, ResolvedVar, EnvOp, EnvLayer, EnvGroupLayer, Guard } from './resolve';
export { parseEnvRules, parseEnvGroups } from './rules';

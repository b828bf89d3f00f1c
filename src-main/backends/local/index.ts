export { LocalBackend, LOST_REASON, NEVER_STARTED_REASON, verdictOf, type LocalBackendOptions } from './local-backend';
export { jobIdForTag } from './spool';

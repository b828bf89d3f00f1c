export type { EnvRule, TaskDefinition, WorkflowDocument, WorkflowError } from './types';
export { parseWorkflow, parseWorkflowText, type WorkflowParseResult } from './parse';
export { extendWorkflow, joinWorkingDir, type ExtendResult } from './extend';
export { isWildcard, compileGlob } from './glob';
export { validateTaskId } from './task-fields';
export { taskFileName } from './task-file-name';

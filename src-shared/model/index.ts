export * from './status';
export * from './backend-kinds';

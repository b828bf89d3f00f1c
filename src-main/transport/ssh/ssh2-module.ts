// ssh2 is CommonJS: Node's ESM loader exposes only some of its exports by name (not `utils`), while bundlers and
// vitest expose all of them. Take everything from the module object, whichever way it was loaded.
import * as ssh2Namespace from 'ssh2';

type Ssh2 = typeof ssh2Namespace;
const ssh2 = ((ssh2Namespace as unknown as { default?: Ssh2 }).default ?? ssh2Namespace) as Ssh2;

export const Client = ssh2.Client;
export const utils = ssh2.utils;

// Global options may come before or after the subcommand (`scripthut --json run list` = `scripthut run list
// --json`). They are lifted out of argv first, so per-command parsing only sees the command's own options.

export interface GlobalFlags {
  json: boolean;
  dataDir?: string;
  noColor: boolean;
  help: boolean;
  version: boolean;
}

const VALUE_GLOBALS = new Set(['--data-dir']);

export function liftGlobals(argv: readonly string[]): { globals: GlobalFlags; rest: string[] } {
  const globals: GlobalFlags = { json: false, noColor: false, help: false, version: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--json') globals.json = true;
    else if (a === '--no-color' || a === '--no-colour') globals.noColor = true;
    else if (a === '--help' || a === '-h') globals.help = true;
    else if (a === '--version' || a === '-V') globals.version = true;
    else if (a.startsWith('--data-dir=')) globals.dataDir = a.slice('--data-dir='.length);
    else if (VALUE_GLOBALS.has(a)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`${a} needs a value (a folder).`);
      globals.dataDir = value;
      i++;
    } else rest.push(a);
  }
  return { globals, rest };
}

// Builds the unpacked Linux app (electron-builder's `dir` target, through its own pipeline and
// electron-builder.yml) when the Electron binary cannot be downloaded, and checks what came out. The Electron
// executable is replaced by a placeholder script, so the result cannot start, but everything electron-builder
// assembles around it (app.asar, app.asar.unpacked, extra resources) is the real thing and is checked here.
// Used by scripts/ci-package.mjs and test/unit/packaging-unpacked.test.ts.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** The executable name electron-builder gives the app on Linux (package.json name). */
export const LINUX_EXECUTABLE = 'scripthut-desktop';
/** Where scripts/electron-native.mjs puts the Electron-ABI build of better-sqlite3, relative to the app root. */
export const ELECTRON_NATIVE_REL = 'out/native/electron/better_sqlite3.node';

const PLACEHOLDER = `#!/bin/sh
echo "This is a placeholder for the Electron binary (scripts/packaging/unpacked-app.mjs); the real one could not be downloaded." >&2
exit 1
`;

/** A folder electron-builder accepts as an "unpacked Electron distribution": just a placeholder `electron`. */
function placeholderElectronDist(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'electron'), PLACEHOLDER);
  chmodSync(path.join(dir, 'electron'), 0o755);
  writeFileSync(path.join(dir, 'version'), installedElectronVersion());
  return dir;
}

export function installedElectronVersion() {
  return JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
}

/**
 * Runs electron-builder's Linux `dir` target into `outDir` with a placeholder Electron. Returns
 * { ok: true, appDir } or { ok: false, reason }. Fuses are left out: they are flipped inside the real Electron
 * binary, which the placeholder is not.
 */
export async function buildUnpackedApp({ outDir, arch = process.arch } = {}) {
  for (const f of ['out/electron/main.cjs', 'out/electron/preload.cjs', 'out/renderer/index.html', 'out/main/cli.mjs']) {
    if (!existsSync(path.join(root, f))) return { ok: false, reason: `${f} is missing; run \`npm run build\` first` };
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'scripthut-unpacked-'));
  const electronDist = placeholderElectronDist(path.join(work, 'electron-dist'));
  const { build, Platform, Arch } = require('electron-builder');
  try {
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir', Arch[arch]),
      publish: 'never',
      // Merged over electron-builder.yml by electron-builder itself.
      config: { electronDist, electronVersion: installedElectronVersion(), npmRebuild: false, electronFuses: null, directories: { output: outDir } },
    });
  } catch (err) {
    return { ok: false, reason: `electron-builder failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const suffix = arch === 'x64' ? '' : `-${arch}`;
  const appDir = path.join(outDir, `linux${suffix}-unpacked`);
  if (!existsSync(appDir)) return { ok: false, reason: `electron-builder finished but ${appDir} does not exist` };
  return { ok: true, appDir };
}

/**
 * Checks an unpacked Linux app. Returns { checked: string[], problems: string[], missing: string[] }:
 * `problems` are real defects of the package; `missing` are parts that could not be built on this machine
 * (with the reason), such as the Electron-ABI build of better-sqlite3.
 */
export function checkUnpackedApp(appDir) {
  const asar = require('@electron/asar');
  const checked = [];
  const problems = [];
  const missing = [];
  const ok = (cond, what, problem) => (cond ? checked.push(what) : problems.push(problem ?? `${what}: not found`));
  const resources = path.join(appDir, 'resources');
  const archive = path.join(resources, 'app.asar');
  ok(existsSync(path.join(appDir, LINUX_EXECUTABLE)), `${LINUX_EXECUTABLE} (placeholder Electron executable)`);
  if (!existsSync(archive)) {
    problems.push(`resources/app.asar: not found in ${appDir}`);
    return { checked, problems, missing };
  }
  const entries = new Set(asar.listPackage(archive).map((p) => p.replace(/\\/g, '/').replace(/^\//, '')));
  const inAsar = (p) => entries.has(p);
  ok(inAsar('package.json'), 'app.asar: package.json');
  let main;
  if (inAsar('package.json')) {
    main = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')).main;
    ok(typeof main === 'string' && inAsar(path.posix.normalize(main)), `app.asar: main ${main}`, `app.asar: package.json "main" (${main}) is not in the archive`);
  }
  for (const f of ['out/electron/preload.cjs', 'out/renderer/index.html', 'out/main/cli.mjs', 'resources/scripthut.schema.json', 'resources/pricing/aws-ec2-snapshot.json']) ok(inAsar(f), `app.asar: ${f}`);
  const forbidden = [...entries].filter((p) => /^(test|bench|src-[^/]+)(\/|$)/.test(p));
  ok(forbidden.length === 0, 'app.asar: no test/, bench/ or src-* folders', `app.asar holds development folders: ${[...new Set(forbidden.map((p) => p.split('/')[0]))].join(', ')}`);
  ok(![...entries].some((p) => p.startsWith('out/') && p.endsWith('.map')), 'app.asar: no source maps of out/', 'app.asar holds .map files of out/ (electron-builder.yml excludes them)');

  const unpacked = path.join(resources, 'app.asar.unpacked');
  const workers = checkWorkerFiles(entries, (p) => asar.extractFile(archive, p).toString('utf8'), (p) => existsSync(path.join(unpacked, p)));
  checked.push(...workers.checked);
  problems.push(...workers.problems);
  const nodeAbiBinary = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  ok(existsSync(path.join(unpacked, nodeAbiBinary)), `app.asar.unpacked: ${nodeAbiBinary}`);
  if (existsSync(path.join(unpacked, ELECTRON_NATIVE_REL))) checked.push(`app.asar.unpacked: ${ELECTRON_NATIVE_REL} (Electron-ABI better-sqlite3)`);
  else if (existsSync(path.join(root, ELECTRON_NATIVE_REL))) problems.push(`${ELECTRON_NATIVE_REL} was built but is not in app.asar.unpacked`);
  else missing.push(`the Electron-ABI build of better-sqlite3 (${ELECTRON_NATIVE_REL}) is missing: scripts/electron-native.mjs did not produce it, so this package could not open its database`);

  const launcher = path.join(resources, 'cli', 'scripthut');
  const isExecutable = existsSync(launcher) && (statSync(launcher).mode & 0o111) !== 0;
  ok(isExecutable, 'resources/cli/scripthut (executable)');
  ok(existsSync(path.join(resources, 'cli', 'scripthut.cmd')), 'resources/cli/scripthut.cmd');
  if (isExecutable) {
    const run = runLauncherWithNode(appDir, ['--version']);
    const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    ok(run.status === 0 && run.stdout.includes(version), `resources/cli/scripthut --version → ${run.stdout.trim()} (plain node against the packaged files)`, `resources/cli/scripthut --version failed (exit ${run.status ?? run.error}): ${`${run.stdout}${run.stderr}`.trim()}`);
  }
  return { checked, problems, missing };
}

/** The read worker thread's bundle (scripts/build-main.mjs; src-main/engine/read-worker-file.ts finds it). */
export const READ_WORKER_REL = 'out/main/read-worker.cjs';

/**
 * Worker files a package must hold, given the archive's entry list (`entries`: a Set of paths relative to the app
 * root), a reader of archive files and a test for unpacked files. The read worker must be in the archive (worker
 * threads load from app.asar since Electron 19), and each package it requires must be there or unpacked, since a
 * worker resolves them like any module; every worker file the renderer's bundle names (vite's `*.worker-*.js`)
 * must be in the archive, served by the app:// protocol like the page.
 * Returns { checked: string[], problems: string[] }.
 */
export function checkWorkerFiles(entries, readText, existsUnpacked) {
  const checked = [];
  const problems = [];
  if (!entries.has(READ_WORKER_REL)) problems.push(`app.asar: ${READ_WORKER_REL} (the read worker thread) is not in the archive; \`scripthut serve\` would serve every read on the engine's thread`);
  else {
    checked.push(`app.asar: ${READ_WORKER_REL}`);
    const wanted = [...new Set([...readText(READ_WORKER_REL).matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].filter((m) => !m.startsWith('node:') && !m.startsWith('.'));
    for (const mod of wanted) {
      const pkgJson = `node_modules/${mod}/package.json`;
      if (entries.has(pkgJson) || existsUnpacked(pkgJson)) checked.push(`read worker requires ${mod}: node_modules/${mod} is packaged`);
      else problems.push(`the read worker requires "${mod}" but node_modules/${mod} is not in the package`);
    }
  }
  const scripts = [...entries].filter((p) => /^out\/renderer\/assets\/[^/]+\.js$/.test(p));
  const named = new Set();
  for (const script of scripts) for (const m of readText(script).matchAll(/[\w.-]+\.worker-[\w-]+\.js/g)) named.add(m[0]);
  if (named.size === 0) problems.push('out/renderer/assets: the renderer bundle names no worker file (the log-index and graph-layout workers are missing)');
  for (const name of [...named].sort()) {
    const rel = `out/renderer/assets/${name}`;
    if (entries.has(rel)) checked.push(`app.asar: ${rel} (renderer worker)`);
    else problems.push(`app.asar: ${rel}, a worker the renderer loads, is not in the archive`);
  }
  return { checked, problems };
}

/**
 * Runs the packaged launcher in a copy of the install layout where the app executable is a shim that runs the
 * packaged CLI (extracted from app.asar, with app.asar.unpacked) on plain Node instead of Electron.
 */
export function runLauncherWithNode(appDir, args) {
  const asar = require('@electron/asar');
  const work = mkdtempSync(path.join(os.tmpdir(), 'scripthut-launcher-'));
  try {
    const app = path.join(work, 'app');
    asar.extractAll(path.join(appDir, 'resources', 'app.asar'), app);
    const install = path.join(work, 'install');
    mkdirSync(path.join(install, 'resources', 'cli'), { recursive: true });
    cpSync(path.join(appDir, 'resources', 'cli', 'scripthut'), path.join(install, 'resources', 'cli', 'scripthut'));
    const entry = path.join(work, 'run-cli.mjs');
    writeFileSync(
      entry,
      `import { readFileSync } from 'node:fs';
const [flag, ...args] = process.argv.slice(2);
if (flag !== '--scripthut-cli') { process.stderr.write('the launcher did not pass --scripthut-cli\\n'); process.exit(2); }
const appRoot = ${JSON.stringify(app)};
const { version } = JSON.parse(readFileSync(appRoot + '/package.json', 'utf8'));
const { runCli } = await import(appRoot + '/out/main/cli.mjs');
process.exitCode = await runCli(args, { appRoot, version });
setTimeout(() => process.exit(process.exitCode), 50).unref();
`,
    );
    writeFileSync(path.join(install, LINUX_EXECUTABLE), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(entry)} "$@"\n`);
    chmodSync(path.join(install, LINUX_EXECUTABLE), 0o755);
    const r = spawnSync(path.join(install, 'resources', 'cli', 'scripthut'), args, { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

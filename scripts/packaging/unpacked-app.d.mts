// Types for unpacked-app.mjs (imported by test/unit/packaging-unpacked.test.ts).
export declare const LINUX_EXECUTABLE: string;
export declare const ELECTRON_NATIVE_REL: string;
export declare function installedElectronVersion(): string;
export declare function buildUnpackedApp(opts?: { outDir: string; arch?: string }): Promise<{ ok: true; appDir: string } | { ok: false; reason: string }>;
export declare function checkUnpackedApp(appDir: string): { checked: string[]; problems: string[]; missing: string[] };
export declare function runLauncherWithNode(appDir: string, args: string[]): { status: number | null; stdout: string; stderr: string; error?: Error };
export declare const READ_WORKER_REL: string;
export declare function checkWorkerFiles(entries: Set<string>, readText: (rel: string) => string, existsUnpacked: (rel: string) => boolean): { checked: string[]; problems: string[] };

// Update channel: electron-updater reads the `publish` block of electron-builder.yml (baked into the packaged
// app as app-update.yml) and checks GitHub releases. Unpackaged runs (npm start) have nothing to update.
import { app } from 'electron';

export async function checkForUpdates(log: (message: string, err?: unknown) => void): Promise<void> {
  if (!app.isPackaged || process.env.SCRIPTHUT_NO_UPDATE_CHECK) return;
  try {
    const { autoUpdater } = await import('electron-updater');
    autoUpdater.logger = { info: (m: unknown) => log(String(m)), warn: (m: unknown) => log(String(m)), error: (m: unknown) => log(String(m)), debug: () => undefined };
    await autoUpdater.checkForUpdatesAndNotify();
  } catch (err) {
    // Offline machines and unpublished builds are normal: note it and carry on.
    log('update check failed', err);
  }
}

// Task outputs in the window, against the real headless host (local backend): the Outputs tab renders the task's
// markdown with its own relative image, shows the image, a CSV as a table, text inline, says what was skipped
// (too large) and offers the rest as a download; the run page shows the run summary with the fragments in task
// order. The screenshots are written to test/e2e/artifacts/ to be looked at.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, shouldSkipBrowser, type Browser } from './browser';
import { ensureRendererBuilt } from './build';
import { startRealHost, type RealHost } from './real-host';
import { openWelcome, uploadWorkflow, waitOnRunPage } from './workflow-upload';

const skipBrowser = shouldSkipBrowser();
/** The two fields of an <img> read in the page (this file compiles without the DOM types). */
interface Img {
  naturalWidth: number;
  src: string;
}
const SHOTS = join(process.cwd(), 'test', 'e2e', 'artifacts');
const POLL = { timeout: 30_000 };
// An 8x8 red PNG.
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC';

const WORKFLOW = {
  title: 'Outputs checks',
  tasks: [
    {
      id: 'train',
      command: [
        'mkdir -p "$SCRIPTHUT_OUTPUT_DIR/plots"',
        `echo '${PNG_B64}' | base64 -d > "$SCRIPTHUT_OUTPUT_DIR/plots/loss.png"`,
        `printf '# Training report\\n\\n| epoch | loss |\\n|---|---|\\n| 1 | 0.50 |\\n\\n![loss curve](plots/loss.png)\\n\\n<img src=x onerror="document.title=1">\\n' > "$SCRIPTHUT_TASK_SUMMARY"`,
        `printf 'epoch,loss,note\\n1,0.5,"warm, up"\\n2,0.25,done\\n' > "$SCRIPTHUT_OUTPUT_DIR/metrics.csv"`,
        'echo "trained for 2 epochs" > "$SCRIPTHUT_OUTPUT_DIR/train.log"',
        'head -c 100 /dev/urandom > "$SCRIPTHUT_OUTPUT_DIR/model.pt"',
        'head -c 6000000 /dev/zero > "$SCRIPTHUT_OUTPUT_DIR/checkpoint.bin"',
        `printf -- '- **train**: final loss 0.25\\n\\n![](plots/loss.png)\\n' > "$SCRIPTHUT_RUN_SUMMARY"`,
      ].join('\n'),
    },
    { id: 'evaluate', command: 'echo "- **evaluate**: accuracy 97%" > "$SCRIPTHUT_RUN_SUMMARY"', deps: ['train'] },
  ],
};

describe.skipIf(skipBrowser)('Task outputs (real host)', () => {
  let host: RealHost;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureRendererBuilt();
    host = await startRealHost();
    browser = await openBrowser();
    const { page } = browser;
    await openWelcome(page, host);
    const runId = await uploadWorkflow(page, host, 'outputs', WORKFLOW);
    await waitOnRunPage(page, host, runId, '[data-testid="run-header"][data-status="completed"]');
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('shows the run summary card with each fragment under its task, in task order, with the task image', async () => {
    const { page } = browser;
    const card = page.getByTestId('run-summary-card');
    await card.waitFor(POLL);
    await expect.poll(async () => page.getByTestId('run-summary-section').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id'))), POLL).toEqual(['train', 'evaluate']);
    expect(await card.textContent()).toContain('final loss 0.25');
    expect(await card.textContent()).toContain('accuracy 97%');
    await expect.poll(async () => card.locator('img').evaluateAll((els) => els.map((e) => ((e as unknown as Img).naturalWidth > 0 ? (e as unknown as Img).src.slice(0, 22) : 'broken'))), POLL).toEqual(['data:image/png;base64,']);
    await page.screenshot({ path: join(SHOTS, 'outputs-run-summary.png') });
  });

  it('the Outputs tab renders markdown with its relative image, the image, a CSV table and text, and says what was skipped', async () => {
    const { page } = browser;
    await page.locator('[data-testid="task-row"][data-task-id="train"]').click();
    await page.getByTestId('tab-outputs').click();
    const view = page.getByTestId('outputs-view');
    await page.locator('[data-testid="outputs-view"][data-collected="true"]').waitFor(POLL);
    expect(await view.getByTestId('output-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual(['task-summary.md', 'checkpoint.bin', 'metrics.csv', 'model.pt', 'plots/loss.png', 'train.log']);
    const md = view.getByTestId('output-markdown');
    await md.locator('table').waitFor(POLL);
    expect(await md.locator('h1').textContent()).toBe('Training report');
    await expect.poll(async () => md.locator('img').evaluateAll((els) => els.map((e) => (e as unknown as Img).naturalWidth)), POLL).toEqual([8]);
    // The hostile <img onerror> in the task's markdown is sanitised: no handler ran, and it shows as a note.
    expect(await page.title()).not.toBe('1');
    expect(await md.locator('.blocked-image').count()).toBe(1);
    await expect.poll(async () => view.getByTestId('output-image').evaluate((e) => (e as unknown as Img).naturalWidth), POLL).toBe(8);
    const table = view.getByTestId('output-table');
    await table.waitFor(POLL);
    expect(await table.locator('th').allTextContents()).toEqual(['epoch', 'loss', 'note']);
    expect(await table.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['1', '0.5', 'warm, up']);
    expect(await view.getByTestId('output-text').textContent()).toBe('trained for 2 epochs\n');
    expect(await view.locator('[data-path="checkpoint.bin"]').getByTestId('output-skipped').textContent()).toMatch(/larger than 5\.0 MiB/);
    expect(await view.getByTestId('outputs-note').allTextContents()).toEqual([expect.stringMatching(/1 file larger than 5\.0 MiB not fetched: checkpoint\.bin/)]);
    await page.screenshot({ path: join(SHOTS, 'outputs-tab.png') });
  });

  it('downloads a file that is not previewed', async () => {
    const { page } = browser;
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-path="model.pt"]').getByTestId('output-download').click()]);
    expect(download.suggestedFilename()).toBe('model.pt');
    const path = await download.path();
    const { statSync } = await import('node:fs');
    expect(statSync(path).size).toBe(100);
  });

  it('a task that wrote nothing says so', async () => {
    const { page } = browser;
    await page.locator('[data-testid="task-row"][data-task-id="evaluate"]').click();
    await page.getByTestId('tab-outputs').click();
    await page.getByTestId('outputs-empty').waitFor(POLL);
  });
});

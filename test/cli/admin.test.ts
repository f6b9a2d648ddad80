// `navtalk-avatar usage`, `results` and `delete` against the real Worker (wrangler dev, R2 simulated), set up as
// `npm start` sets it up (startStack with an ADMIN_TOKEN), and the NavTalk mock.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../scripts/lib/stack.js';
import type { TaskState } from '../../src/protocol/index.js';
import type { ResultsAnswer, UsageAnswer } from '../../src/proxy/admin.js';
import { followTask } from '../e2e/faults-clients.js';

const run = promisify(execFile);
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const ORIGIN = 'https://site.example';
const TOKEN = 'a-local-admin-token-for-the-cli-test';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ origins: [ORIGIN], adminToken: TOKEN });
  stack.mock!.configure({ timing: { processingAfterMs: 100, doneAfterMs: 400 } });
}, 90_000);
afterAll(() => stack?.stop());

const cli = (args: string[], token: string | undefined = TOKEN) =>
  // Elsewhere than the repository, whose .dev.vars could hold another ADMIN_TOKEN.
  run(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: tmpdir(), env: { ...process.env, ADMIN_TOKEN: token ?? '' } })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
const generations = () => stack.mock!.calls.filter((c) => c.path === '/generate').length;
const script = { character_name: 'navtalk.Leo', content: 'The operator looks at what it cost.', voice: 'echo' };

describe('navtalk-avatar usage / results / delete', () => {
  it('shows usage and the kept video, deletes it (made again once after), and explains a wrong token, a proxy without admin routes and an unknown id', async () => {
    const endpoint = `${stack.workerUrl}/`;
    const made = await followTask(endpoint, script, { origin: ORIGIN }, 20_000);
    expect(made.status).toBe('done');
    const { taskId } = made as { taskId: string };
    // The copy into R2 follows `done`: looked for a bounded number of times.
    for (let i = 0; i < 300; i++) {
      const state = (await (await fetch(`${endpoint}?task_id=${taskId}`)).json()) as TaskState;
      if (state.video_url?.includes('?video=')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const usage = await cli(['usage', '--endpoint', endpoint]);
    expect(usage.code, usage.stderr).toBe(0);
    expect(usage.stdout).toMatch(/Today \(\d{4}-\d\d-\d\d UTC\): 1 of 100 generations/);
    expect(usage.stdout).toMatch(/\d{4}-\d\d-\d\d\s+1\s+0\s+█{40}\n?$/);
    const usageJson = JSON.parse((await cli(['usage', '--endpoint', endpoint, '--json'])).stdout) as UsageAnswer;
    expect(usageJson.days.at(-1)!.generations).toBe(1);

    const results = await cli(['results', '--endpoint', endpoint]);
    expect(results.stdout).toContain('1 kept video,');
    expect(results.stdout).toMatch(new RegExp(`${taskId}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+[\\d.]+ kB\\s+character\\+text navtalk.Leo\\s+echo\\s+The operator looks at what it cost\\.`));
    const resultsJson = JSON.parse((await cli(['results', '--endpoint', endpoint, '--json'])).stdout) as ResultsAnswer;
    expect(resultsJson.results.map((r) => r.id)).toEqual([taskId]);

    const deleted = await cli(['delete', taskId, '--endpoint', endpoint]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Deleted ${taskId}: its kept video and its task record.`);
    expect((await cli(['results', '--endpoint', endpoint])).stdout).toContain('0 kept videos');
    expect(await followTask(endpoint, script, { origin: ORIGIN }, 20_000)).toMatchObject({ status: 'done' });
    expect(generations()).toBe(2);

    const again = await cli(['delete', 'A'.repeat(43), '--endpoint', endpoint]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('No kept video or task has the id')]);
    const wrong = await cli(['usage', '--endpoint', endpoint], `${TOKEN}-wrong`);
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining('refused the token')]);
    const none = await cli(['usage', '--endpoint', `${stack.mock!.url}/`]);
    expect([none.code, none.stderr]).toEqual([1, expect.stringContaining('has no admin interface')]);
    const unset = await cli(['usage', '--endpoint', endpoint], '');
    expect([unset.code, unset.stderr]).toEqual([2, expect.stringContaining('set ADMIN_TOKEN')]);
  }, 60_000);
});

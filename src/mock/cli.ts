/**
 * Runs the NavTalk mock until SIGINT/SIGTERM:
 *   npm run mock -- --port 8790 [--host 127.0.0.1] [--processing-after 2000] [--done-after 8000]
 *                   [--license KEY] [--public-url URL] [--workload JSON]
 * The first line printed is `NavTalk mock listening on <url>`, for scripts that start it with --port 0.
 */
import { parseArgs } from 'node:util';
import { startMockNavTalk } from './server.js';

const USAGE = `usage: npm run mock -- [--port 8790] [--host 127.0.0.1] [--processing-after MS] [--done-after MS]
                     [--license KEY] [--public-url URL] [--workload '{"seed":7,"failureRate":0.05}']`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got ${value}`);
  return n;
}

/** The JSON of --workload; startMockNavTalk checks its fields. */
function parseWorkload(value: string | undefined): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as Record<string, number>;
  } catch {
    throw new Error(`--workload must be JSON, e.g. '{"seed":7}', got ${value}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8790' },
      host: { type: 'string', default: '127.0.0.1' },
      'processing-after': { type: 'string' },
      'done-after': { type: 'string' },
      license: { type: 'string' },
      'public-url': { type: 'string' },
      workload: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const processingAfterMs = number('processing-after', values['processing-after']);
  const doneAfterMs = number('done-after', values['done-after']);
  const workload = parseWorkload(values.workload);
  const mock = await startMockNavTalk({
    workload,
    port: number('port', values.port),
    host: values.host,
    license: values.license,
    publicUrl: values['public-url'],
    timing: {
      ...(processingAfterMs !== undefined && { processingAfterMs }),
      ...(doneAfterMs !== undefined && { doneAfterMs }),
    },
  });
  const { timing } = mock.config();
  console.log(`NavTalk mock listening on ${mock.url}`);
  console.log(`  license: ${mock.license}`);
  console.log(`  timing: processing after ${timing.processingAfterMs} ms, done after ${timing.doneAfterMs} ms`);
  if (mock.config().workload) console.log(`  workload: ${JSON.stringify(mock.config().workload)} (durations follow the script)`);
  console.log(`  samples: ${mock.url}/samples/face.png, avatar.mp4, source.mp4, voice.mp3, voice.wav`);
  console.log(`  control: ${mock.url}/__mock/calls, /__mock/tasks, /__mock/config, /__mock/reset`);

  const stop = (signal: string) => {
    console.log(`NavTalk mock stopping (${signal})`);
    mock.close().then(() => process.exit(0), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`navtalk mock: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
});

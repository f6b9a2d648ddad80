/**
 * The recorder page (demo/record.html) in Chromium with a fake microphone: a recording is sent as
 * audio_base64 (16 kHz mono WAV) with the chosen character, NavTalk's method 8; a blocked microphone is
 * explained, and a file can be sent instead.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../../src/mock/server.js';
import { CHROMIUM_ARGS, startDemo, type Demo } from './harness.js';

let demo: Demo;
beforeAll(async () => {
  demo = await startDemo();
});
afterAll(() => demo?.close());

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function openRecorder(flags: string[]): Promise<Page> {
  browser = await chromium.launch({ executablePath: demo.chromiumPath, args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', ...flags] });
  const page = await browser.newPage();
  await page.goto(new URL('record.html', demo.base).href);
  return page;
}

/** Sends the take with "Make it talk" and returns the request the proxy received, once the video is done. */
async function send(page: Page): Promise<Record<string, unknown>> {
  demo.endpoint.proxy.calls.length = 0;
  await page.getByRole('button', { name: 'Make it talk' }).click();
  await page.waitForFunction(() => document.querySelector('navtalk-avatar')?.getAttribute('status') === 'done');
  const post = demo.endpoint.proxy.calls.find((c) => c.method === 'POST');
  return post!.body as Record<string, unknown>;
}

/** The WAV header fields the recorder promises: RIFF/WAVE, PCM, mono, 16 kHz, 16-bit. */
function wavFormat(base64: string) {
  const wav = Buffer.from(base64, 'base64');
  return {
    riff: wav.toString('ascii', 0, 4), wave: wav.toString('ascii', 8, 12), pcm: wav.readUInt16LE(20),
    channels: wav.readUInt16LE(22), rate: wav.readUInt32LE(24), bits: wav.readUInt16LE(34),
  };
}
const WAV_16K_MONO = { riff: 'RIFF', wave: 'WAVE', pcm: 1, channels: 1, rate: 16_000, bits: 16 };

describe('the recorder page', () => {
  it('records from the microphone and sends it as audio_base64 with the chosen character (method 8)', async () => {
    const page = await openRecorder(['--use-fake-ui-for-media-stream']);
    await page.getByLabel('Character').selectOption('navtalk.Zoe');
    await page.getByRole('button', { name: 'Start recording' }).click();
    await expect.poll(() => page.locator('#elapsed').textContent(), { timeout: 10_000 }).toBe('0:01');
    await page.getByRole('button', { name: 'Stop recording' }).click();
    await page.locator('#review').waitFor();
    expect(await page.locator('#take').textContent()).toMatch(/^Your recording · \d+\.\d s · \d+ KB as 16 kHz WAV$/);

    const body = await send(page);
    expect(Object.keys(body).sort()).toEqual(['audio_base64', 'character_name']);
    expect(body.character_name).toBe('navtalk.Zoe');
    expect(wavFormat(body.audio_base64 as string)).toEqual(WAV_16K_MONO);
  });

  it('explains a blocked microphone, and sends a chosen file instead, as 16 kHz WAV', async () => {
    const page = await openRecorder(['--deny-permission-prompts']);
    await page.getByRole('button', { name: 'Start recording' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Microphone access is blocked');
    expect(await alert.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);

    await page.locator('#upload').setInputFiles(new URL('voice.mp3', SAMPLES_DIR).pathname);
    await page.locator('#review').waitFor();
    expect(await page.locator('#take').textContent()).toMatch(/^voice\.mp3 · /);
    const body = await send(page);
    expect(body.character_name).toBe('navtalk.Alex');
    expect(wavFormat(body.audio_base64 as string)).toEqual(WAV_16K_MONO);
  });
});

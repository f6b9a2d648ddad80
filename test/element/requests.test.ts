import { expect } from '@open-wc/testing';
import type { NavtalkAvatar } from '../../src/index.js';
import { AUDIO, VISUAL, failure, mount, ready } from './support/helpers.js';
import { testProxy } from './support/proxy.js';

const FIELD_OF: Record<string, string> = {
  'video-url': 'video_url', 'image-url': 'image_url', character: 'character_name',
  'audio-url': 'audio_url', 'audio-base64': 'audio_base64', text: 'content',
};

describe('request bodies', () => {
  for (const [visual, visualValue] of Object.entries(VISUAL)) {
    for (const [audio, audioValue] of Object.entries(AUDIO)) {
      it(`${visual} + ${audio} sends exactly those NavTalk fields`, async () => {
        const proxy = await testProxy();
        const voice: Record<string, string> = audio === 'text' ? { voice: 'nova' } : {};
        const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', [visual]: visualValue, [audio]: audioValue, ...voice });
        await ready(el);
        const posts = await proxy.posts();
        expect(posts).to.have.length(1);
        expect(posts[0]!.body).to.deep.equal({
          [FIELD_OF[visual]!]: visualValue,
          [FIELD_OF[audio]!]: audioValue,
          ...voice,
        });
      });
    }
  }
});

describe('tuning, signature and properties', () => {
  it('sends the tuning attributes and the signature as the exact JSON fields, numbers as numbers', async () => {
    const proxy = await testProxy();
    const el = await mount({
      endpoint: proxy.endpoint, trigger: 'load', character: 'navtalk.Leo', 'audio-url': AUDIO['audio-url'],
      'bbox-shift': '-3', 'extra-margin': '20', 'parsing-mode': 'raw', 'left-cheek-width': '100',
      'right-cheek-width': ' 120 ', signature: 'a'.repeat(43),
    });
    await ready(el);
    const [post] = await proxy.posts();
    expect(post!.body).to.deep.equal({
      character_name: 'navtalk.Leo', audio_url: AUDIO['audio-url'], bbox_shift: -3, extra_margin: 20,
      parsing_mode: 'raw', left_cheek_width: 100, right_cheek_width: 120, signature: 'a'.repeat(43),
    });
  });

  it('reads the same fields from camelCase properties', async () => {
    const proxy = await testProxy();
    const el = await mount({ trigger: 'manual' });
    Object.assign(el, {
      endpoint: proxy.endpoint, imageUrl: VISUAL['image-url'], text: 'Hi there', voice: 'echo',
      bboxShift: 4, extraMargin: 0, parsingMode: 'jaw', leftCheekWidth: 50, rightCheekWidth: 150,
    });
    el.generate();
    await ready(el);
    const [post] = await proxy.posts();
    expect(post!.body).to.deep.equal({
      image_url: VISUAL['image-url'], content: 'Hi there', voice: 'echo', bbox_shift: 4, extra_margin: 0,
      parsing_mode: 'jaw', left_cheek_width: 50, right_cheek_width: 150,
    });
  });

  for (const [kind, make] of [
    ['Blob', (bytes: Uint8Array<ArrayBuffer>) => new Blob([bytes], { type: 'audio/wav' })],
    ['ArrayBuffer', (bytes: Uint8Array<ArrayBuffer>) => bytes.slice().buffer],
  ] as const) {
    it(`encodes an audio ${kind} as audio_base64`, async () => {
      const proxy = await testProxy();
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
      const el = await mount({ trigger: 'manual', endpoint: proxy.endpoint, character: 'navtalk.Mia' });
      el.audio = make(bytes);
      el.generate();
      await ready(el);
      const [post] = await proxy.posts();
      const sent = (post!.body as { audio_base64: string }).audio_base64;
      expect(Uint8Array.from(atob(sent), (c) => c.charCodeAt(0))).to.deep.equal(bytes);
      expect(Object.keys(post!.body as object).sort()).to.deep.equal(['audio_base64', 'character_name']);
    });
  }

  it('makes one request for several attribute changes in the same tick', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', character: 'navtalk.Leo', text: 'One', voice: 'echo' });
    await ready(el);
    el.setAttribute('text', 'Two');
    el.setAttribute('voice', 'nova');
    el.setAttribute('bbox-shift', '2');
    el.bboxShift = 3;
    await el.updateComplete;
    await ready(el);
    const posts = await proxy.posts();
    expect(posts.map((p) => p.body)).to.deep.equal([
      { character_name: 'navtalk.Leo', content: 'One', voice: 'echo' },
      { character_name: 'navtalk.Leo', content: 'Two', voice: 'nova', bbox_shift: 3 },
    ]);
  });
});

describe('invalid input: no request, status failed, invalid_input naming the attribute', () => {
  const base = { character: 'navtalk.Leo', text: 'Hello', voice: 'echo' };
  const cases: Array<[string, Record<string, string>, string]> = [
    ['no visual source', { text: 'Hi', voice: 'echo' }, 'Set one visual source: video-url, image-url or character.'],
    ['two visual sources', { ...base, 'image-url': VISUAL['image-url'] }, 'Set only one visual source, not both image-url and character.'],
    ['no audio source', { character: 'navtalk.Leo' }, 'Set one audio source: audio-url, audio-base64 or text.'],
    ['two audio sources', { ...base, 'audio-url': AUDIO['audio-url'] }, 'Set only one audio source, not both audio-url and text.'],
    ['two audio sources, no text', { character: 'navtalk.Leo', 'audio-url': AUDIO['audio-url'], 'audio-base64': AUDIO['audio-base64'] }, 'Set only one audio source, not both audio-url and audio-base64.'],
    ['text without voice', { character: 'navtalk.Leo', text: 'Hi' }, 'voice is required with text: it must be one of alloy, ash, ballad'],
    ['video-url not http(s)', { ...base, character: '', 'video-url': 'ftp://cdn.example.com/me.mp4' }, 'video-url must be an absolute http(s) URL of a public MP4 or MOV video (got "ftp://cdn.example.com/me.mp4").'],
    ['image-url without a scheme', { ...base, character: '', 'image-url': '//cdn.example.com/me.png' }, 'image-url must be an absolute http(s) URL of a public image (got "//cdn.example.com/me.png").'],
    ['character malformed', { ...base, character: '.Leo' }, 'character must be a built-in character name such as navtalk.Leo'],
    ['audio-url not a URL', { character: 'navtalk.Leo', 'audio-url': 'javascript:alert(1)' }, 'audio-url must be an absolute http(s) URL of a public MP3 or WAV file'],
    ['audio-base64 not base64', { character: 'navtalk.Leo', 'audio-base64': 'not base64!' }, 'audio-base64 must be the base64 text of an audio file'],
    ['text only spaces', { ...base, text: '   ' }, 'text must be text of 1 to 2000 characters, not only spaces (got "   ").'],
    ['text too long', { ...base, text: 'a'.repeat(2001) }, 'text must be text of 1 to 2000 characters'],
    ['voice malformed', { ...base, voice: 'Nova!' }, 'voice must be one of alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse (got "Nova!").'],
    ['voice typo', { ...base, voice: 'nope' }, 'voice must be one of alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse (got "nope").'],
    ['voice outside NavTalk\'s list', { ...base, voice: 'marin' }, 'voice must be one of alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse (got "marin").'],
    ['bbox-shift too high', { ...base, 'bbox-shift': '12' }, 'bbox-shift must be a whole number from -9 to 9 (got 12).'],
    ['bbox-shift not a number', { ...base, 'bbox-shift': 'abc' }, 'bbox-shift must be a whole number from -9 to 9 (got "abc").'],
    ['extra-margin negative', { ...base, 'extra-margin': '-1' }, 'extra-margin must be a whole number from 0 to 50 (got -1).'],
    ['extra-margin too high', { ...base, 'extra-margin': '51' }, 'extra-margin must be a whole number from 0 to 50 (got 51).'],
    ['parsing-mode unknown', { ...base, 'parsing-mode': 'soft' }, 'parsing-mode must be jaw or raw (got "soft").'],
    ['left-cheek-width too low', { ...base, 'left-cheek-width': '49' }, 'left-cheek-width must be a whole number from 50 to 150 (got 49).'],
    ['right-cheek-width too high', { ...base, 'right-cheek-width': '151' }, 'right-cheek-width must be a whole number from 50 to 150 (got 151).'],
    ['right-cheek-width fractional', { ...base, 'right-cheek-width': '90.5' }, 'right-cheek-width must be a whole number from 50 to 150 (got 90.5).'],
    ['signature malformed', { ...base, signature: 'short' }, 'signature must be a base64url signature made by navtalk-sign (got "short").'],
  ];
  for (const [name, attributes, message] of cases) {
    it(name, async () => {
      const proxy = await testProxy();
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...attributes });
      const error = await failure(el);
      expect(error.code).to.equal('invalid_input');
      expect(error.message).to.contain(message);
      expect(el.status).to.equal('failed');
      expect(el.getAttribute('status')).to.equal('failed');
      expect(await proxy.requests()).to.deep.equal([]);
    });
  }

  it('a voice added to NavtalkAvatar.voices (one NavTalk introduced later) is sent', async () => {
    const proxy = await testProxy();
    const Avatar = customElements.get('navtalk-avatar') as typeof NavtalkAvatar;
    Avatar.voices.add('marin');
    try {
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...base, voice: 'marin' });
      await ready(el);
      expect((await proxy.posts())[0]!.body).to.deep.include({ content: 'Hello', voice: 'marin' });
    } finally {
      Avatar.voices.delete('marin');
    }
  });

  it('a missing or non-http endpoint', async () => {
    const missing = await mount({ trigger: 'load', ...base });
    expect((await failure(missing)).message).to.equal('endpoint must be set to the URL of your NavTalk proxy.');
    const ftp = await mount({ trigger: 'load', endpoint: 'ftp://example.com/x', ...base });
    expect((await failure(ftp)).message).to.equal('endpoint must be an http(s) URL of your NavTalk proxy (got "ftp://example.com/x").');
  });

  it('shows the message, and no retry button (changing the input is the fix)', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...base, 'bbox-shift': '12' });
    await failure(el);
    await el.updateComplete;
    const box = el.shadowRoot!.querySelector('[part="error"]')!;
    expect(box.textContent).to.contain('This avatar is not set up correctly.');
    expect(box.textContent).to.contain('bbox-shift must be a whole number from -9 to 9 (got 12).');
    expect(el.shadowRoot!.querySelector('[part="retry"]')).to.equal(null);
    el.setAttribute('bbox-shift', '2');
    await ready(el);
    expect((await proxy.posts())[0]!.body).to.deep.include({ bbox_shift: 2 });
  });
});

import { expect } from '@open-wc/testing';
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

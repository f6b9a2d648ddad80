/** How the demo names NavTalk's sources, and the method number of a pairing (NavTalk's own numbering). */
import { methodNumber, type AudioField, type GenerateRequest, type VisualField } from '../../src/protocol/index.js';

export const VISUAL_LABEL: Record<VisualField, string> = { video_url: 'Video', image_url: 'Photo', character_name: 'Character' };
export const AUDIO_LABEL: Record<AudioField, string> = { audio_url: 'Audio file', audio_base64: 'Audio data', content: 'Text' };

/** 1-9 for a visual source and an audio source. */
export const methodOf = (visual: VisualField, audio: AudioField): number =>
  methodNumber({ [visual]: 'x', [audio]: 'x' } as GenerateRequest);

/** One caption: a slice of the spoken text and when it is on screen, in seconds. */
export interface Caption {
  start: number;
  end: number;
  text: string;
}

/** Longest caption line, in characters: about two lines of subtitles. */
const MAX_CHARS = 84;

/** Splits text into sentences, then packs words into captions of at most MAX_CHARS. */
function chunks(text: string): string[] {
  const out: string[] = [];
  for (const sentence of text.trim().split(/(?<=[.!?…。！？])\s+/)) {
    let line = '';
    for (const word of sentence.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > MAX_CHARS) {
        out.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) out.push(line);
  }
  return out;
}

/**
 * Captions for text spoken over `duration` seconds. The TTS timing is unknown, so each caption gets a share
 * of the duration in proportion to its length, which tracks speech closely enough to read along.
 */
export function captionsFor(text: string, duration: number): Caption[] {
  const lines = chunks(text);
  const total = lines.reduce((sum, line) => sum + line.length, 0);
  let start = 0;
  return lines.map((line) => {
    const end = start + (duration * line.length) / total;
    const caption = { start, end, text: line };
    start = end;
    return caption;
  });
}

/** Puts the cues of `text` on `track` while `video` is muted (once its duration is known), and takes them off with sound. */
export function syncCaptions(video: HTMLVideoElement, track: TextTrack, text: string): void {
  const cues = [...track.cues!];
  if (!video.muted) for (const cue of cues) track.removeCue(cue);
  else if (!cues.length && Number.isFinite(video.duration)) {
    for (const { start, end, text: line } of captionsFor(text, video.duration)) {
      const cue = new VTTCue(start, end, line);
      // Placed by percent of the video's height, not by line: a line-snapped cue is laid out at the top first, then
      // moved down, and that move counts as a layout shift (CLS).
      cue.snapToLines = false;
      cue.line = 85;
      track.addCue(cue);
    }
  }
}

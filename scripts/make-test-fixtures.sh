#!/bin/sh
# Makes the element tests' fixtures. test/fixtures/avatar.mp4: a 3 s H.264 (baseline) + AAC clip, small enough to commit (about 20 KB),
# which Debian's Chromium decodes headless. The element tests play it as a generated "result".
set -eu
cd "$(dirname "$0")/.."
ffmpeg -y -loglevel error \
  -f lavfi -i "testsrc=size=160x160:rate=12:duration=3" \
  -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=3" \
  -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 35 -g 24 \
  -c:a aac -b:a 24k -ac 1 -movflags +faststart -shortest \
  test/fixtures/avatar.mp4
# test/fixtures/poster.png: a 64x64 still, for poster tests that need an image that loads.
ffmpeg -y -loglevel error -f lavfi -i "color=c=0x3b4a6b:s=64x64:d=1" -frames:v 1 test/fixtures/poster.png

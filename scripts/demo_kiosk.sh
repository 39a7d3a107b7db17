#!/usr/bin/env bash
# The kiosk demo: enrol the two people of the Hamilton clip (consent given by the demo
# operator) into ./var/demo-kiosk, then run the kiosk in a window with the clip as camera.
set -euo pipefail
cd "$(dirname "$0")/.."
F=../shared/testdata/faces/face_recognition/examples
if [ ! -f "$F/short_hamilton_clip.mp4" ]; then
  echo "error: the shared test video is not at $F" >&2
  exit 1
fi
DATA=${KIOSK_DATA_DIR:-./var/demo-kiosk}
if [ ! -f "$DATA/kiosk.db" ]; then
  uv run kiosk enrol --data-dir "$DATA" --consent --name "Lin-Manuel Miranda" \
    --id-number 079080012345 --photo "$F/lin-manuel-miranda.png"
  uv run kiosk enrol --data-dir "$DATA" --consent --name "Alex Lacamoire" \
    --id-number 079075012345 --photo "$F/knn_examples/train/alex_lacamoire/img1.jpg"
fi
exec uv run kiosk run --data-dir "$DATA" --windowed --camera "$F/short_hamilton_clip.mp4" "$@"

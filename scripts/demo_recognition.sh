#!/usr/bin/env bash
# Enrol + identify round trip on the shared test photos, in a throw-away data dir.
set -euo pipefail
cd "$(dirname "$0")/.."
FACES=../shared/testdata/faces/face_recognition
if [ ! -d "$FACES" ]; then
  echo "error: the shared test photos are not at $FACES" >&2
  exit 1
fi
DATA=${KIOSK_DATA_DIR:-./var/demo}
rm -rf "$DATA"
echo "== enrol two citizens (consent recorded as given by the demo operator)"
uv run kiosk enrol --data-dir "$DATA" --consent --name "Barack Obama" --id-number 001061012345 \
  --dob 1961-08-04 --photo "$FACES/tests/test_images/obama.jpg"
uv run kiosk enrol --data-dir "$DATA" --consent --name "Joe Biden" --id-number 001042012345 \
  --photo "$FACES/tests/test_images/biden.jpg"
echo "== identify other photos"
uv run kiosk identify --data-dir "$DATA" "$FACES"/tests/test_images/obama{2,3,_partial_face}.jpg \
  "$FACES/examples/knn_examples/train/biden/biden2.jpg" "$FACES/examples/lin-manuel-miranda.png"
echo "== the registry"
uv run kiosk people list --data-dir "$DATA"

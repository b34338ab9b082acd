#!/usr/bin/env bash
# Launch one run with curl, poll it every 2 s until it ends, then print its epoch rows and test metrics.
# Usage: examples/launch_with_curl.sh [architecture] [dataset]    (SERVER defaults to http://127.0.0.1:8000;
# BATTLEFIELD_TOKEN, when the server has one, is sent as a bearer token)
set -euo pipefail

SERVER="${SERVER:-http://127.0.0.1:8000}"
AUTH=()
if [ -n "${BATTLEFIELD_TOKEN:-}" ]; then AUTH=(-H "Authorization: Bearer $BATTLEFIELD_TOKEN"); fi
api() { curl -fsS "${AUTH[@]}" "$@"; }
ARCHITECTURE="${1:-fasttext}"
DATASET="${2:-synthetic}"

json_field() {  # json_field FIELD < json : print one top-level field of a JSON object
  python3 -c 'import json, sys; value = json.load(sys.stdin)[sys.argv[1]]; print("" if value is None else value)' "$1"
}

run=$(api -X POST "$SERVER/api/runs" \
  -H 'Content-Type: application/json' \
  -d "{\"architecture\": \"$ARCHITECTURE\", \"dataset\": \"$DATASET\", \"hyperparams\": {\"epochs\": 3}, \"tags\": [\"curl\"]}")
id=$(json_field id <<<"$run")
echo "launched run $id ($ARCHITECTURE on $DATASET)"

while true; do
  run=$(api "$SERVER/api/runs/$id")
  status=$(json_field status <<<"$run")
  echo "run $id: $status, epoch $(json_field epochs_done <<<"$run")/$(json_field epochs_total <<<"$run")"
  case "$status" in succeeded|failed|cancelled) break ;; esac
  sleep 2
done

echo "epoch rows:"
api "$SERVER/api/runs/$id/metrics" | python3 -m json.tool
echo "test_acc: $(json_field test_acc <<<"$run")  test_loss: $(json_field test_loss <<<"$run")  error: $(json_field error <<<"$run")"
[ "$status" = succeeded ]

#!/usr/bin/env bash
# What one kafka://, cassandra:// and mongodb:// probe costs against a
# healthy replica of each server on loopback (benches/replicas.py; no real
# broker, node or server is packaged where this runs): user-space
# instructions (valgrind callgrind, one run) and peak RSS (/usr/bin/time,
# the median of 21 runs), of the static release build.
#
#   bash benches/replicas.sh [BINARY]     (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/x86_64-unknown-linux-musl/release/healthprobe}
[ -x "$bin" ] || cargo build -q --release --locked --target x86_64-unknown-linux-musl --bin healthprobe
work=$(mktemp -d)
python3 benches/replicas.py > "$work/ports" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ "$(wc -l < "$work/ports")" = 3 ] && break; sleep 0.1; done
echo "| target | instructions | peak RSS |"
echo "|---|---:|---:|"
while read -r kind port; do
  url="$kind://127.0.0.1:$port"
  "$bin" -q "$url"
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$bin" -q "$url" 2> "$work/vg"
  instructions=$(sed -n 's/.*Collected : //p' "$work/vg")
  rss=$(for _ in $(seq 21); do /usr/bin/time -f %M "$bin" -q "$url" 2>&1 >/dev/null; done | sort -n | sed -n 11p)
  echo "| $kind:// | $instructions | $rss KiB |"
done < "$work/ports"

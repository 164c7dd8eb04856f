#!/usr/bin/env bash
# What one health check costs: healthprobe (static musl, with and without TLS)
# against curl, busybox wget and the Python one-liner the DHI guides suggest,
# all probing the same fast health server on loopback, side by side.
#
#   bash benches/compare.sh [OUTPUT.md]      (RUNS=200 by default)
#
# Per probe it measures wall time from exec to exit (median and p95 of RUNS
# runs, all tools in one hyperfine run so the ratios hold on a noisy machine),
# peak RSS (median of 20 runs of /usr/bin/time), user-space instructions
# (valgrind callgrind, one run: the count repeats exactly), system calls
# (strace -f -c) and the size on disk (with the shared libraries a dynamic
# tool loads). Every tool runs in the same small, container-like environment.
# It writes a Markdown table to OUTPUT.md (default benches/results.md).
# As root it installs what is missing with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-benches/results.md}
runs=${RUNS:-200}
target=x86_64-unknown-linux-musl

if [ "$(id -u)" = 0 ]; then
  need=()
  for tool in hyperfine:hyperfine busybox:busybox curl:curl strace:strace valgrind:valgrind \
              /usr/bin/time:time python3:python3 gcc:gcc; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

rustup target add "$target" >/dev/null 2>&1
cargo build -q --release --locked --target "$target" --bins --examples
cargo build -q --release --locked --target "$target" --no-default-features --target-dir target/notls
healthprobe=$PWD/target/$target/release/healthprobe
healthprobe_notls=$PWD/target/notls/$target/release/healthprobe
server=$PWD/target/$target/release/examples/health_server

work=$(mktemp -d)
"$server" --listen 127.0.0.1:0 > "$work/server.out" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  grep -q listening "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
url="http://$(sed -n 's/^listening on //p' "$work/server.out")/health"

# The interpreter itself, not a wrapper script such as pyenv's shim.
python=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')

names=("healthprobe" "healthprobe, no TLS" "curl -fsS" "busybox wget" "python3 urllib")
commands=(
  "$healthprobe -q $url"
  "$healthprobe_notls -q $url"
  "curl -fsS -o /dev/null $url"
  "busybox wget -q -O /dev/null $url"
  "$python -c 'import urllib.request; urllib.request.urlopen(\"$url\")'"
)
# What `docker exec` gives a probe: the image's few variables, no more.
clean_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 HOSTNAME=bench)

# The words of command $1, in the array argv (quotes as a shell reads them),
# so that every tool is exec'd directly: no shell's cost is counted.
argv=()
split() { eval "argv=(${commands[$1]})"; }

# Every command must succeed before anything is measured.
for i in "${!commands[@]}"; do
  split "$i"
  "${clean_env[@]}" "${argv[@]}" || { echo "${names[$i]} failed against $url" >&2; exit 1; }
done

echo "wall time: $runs runs each" >&2
hyperfine_args=(-N --warmup 10 --runs "$runs" --style none --export-json "$work/wall.json")
for i in "${!commands[@]}"; do
  hyperfine_args+=(-n "${names[$i]}" "${commands[$i]}")
done
"${clean_env[@]}" "$(command -v hyperfine)" "${hyperfine_args[@]}" >/dev/null

measure() {  # index -> "rss_kb instructions syscalls"
  local rss=() i
  split "$1"
  for i in $(seq 20); do
    rss+=("$("${clean_env[@]}" /usr/bin/time -f %M "${argv[@]}" 2>&1 >/dev/null | tail -1)")
  done
  local rss_median instructions syscalls
  rss_median=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n 10p)
  instructions=$("${clean_env[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "${argv[@]}" 2>&1 | sed -n 's/.*Collected : //p' | tail -1)
  "${clean_env[@]}" strace -f -c -o "$work/strace.txt" "${argv[@]}" >/dev/null 2>&1
  syscalls=$(awk '$NF == "total" { print $(NF-2) }' "$work/strace.txt")
  echo "$rss_median $instructions $syscalls"
}

size_on_disk() {  # binary -> bytes, with the shared libraries it loads
  local binary=$1 total=0 file
  for file in "$binary" $(ldd "$binary" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
    total=$((total + $(stat -Lc %s "$file")))
  done
  echo "$total"
}

binaries=("$healthprobe" "$healthprobe_notls" "$(command -v curl)" "$(command -v busybox)" "$python")
{
  echo "| tool | wall median | wall p95 | vs curl | peak RSS | instructions | syscalls | size on disk |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} > "$work/rows.md"
for i in "${!commands[@]}"; do
  echo "measuring ${names[$i]}" >&2
  read -r rss instructions syscalls < <(measure "$i")
  size=$(size_on_disk "${binaries[$i]}")
  python3 - "$work/wall.json" "$i" "${names[$i]}" "$rss" "$instructions" "$syscalls" "$size" >> "$work/rows.md" <<'PY'
import json, statistics, sys
wall, i, name, rss, instructions, syscalls, size = sys.argv[1:]
results = json.load(open(wall))["results"]
def stats(k):
    times = sorted(results[k]["times"])
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]
median, p95 = stats(int(i))
curl_median, _ = stats(2)
print(f"| {name} | {median*1000:.2f} ms | {p95*1000:.2f} ms | {median/curl_median:.2f}x | "
      f"{int(rss)/1024:.1f} MiB | {int(instructions):,} | {syscalls} | {int(size)/1e6:.2f} MB |")
PY
done

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
{
  echo "Measured $(date -u +%Y-%m-%d) on $cpu, $(nproc) cores, Linux $(uname -r),"
  # shellcheck source=/dev/null
  echo "$(. /etc/os-release && echo "$PRETTY_NAME"); healthprobe $("$healthprobe" -V | cut -d' ' -f2) built by $(rustc --version | cut -d' ' -f1-2),"
  echo "$(curl --version | head -1 | cut -d' ' -f1-2), BusyBox $(busybox | head -1 | cut -d' ' -f2),"
  echo "Python $("$python" -c 'import platform; print(platform.python_version())'); $runs runs per tool."
  echo
  cat "$work/rows.md"
  echo
  echo "Wall time is from exec to exit (hyperfine -N, no shell); instructions are"
  echo "user-space instructions from valgrind callgrind (for dynamic tools they"
  echo "include the dynamic loader); syscalls come from strace -f -c and include the"
  echo "execve. Size on disk is the binary plus the shared libraries it links (for"
  echo "Python, not its standard library)."
} > "$out"
cat "$out"

#!/usr/bin/env bash
# Writes link/hot.txt, the order link/cc gives the functions of .text: those
# a healthy probe of each kind runs, kind by kind, in the order they first run
# (valgrind's lackey traces each instruction), named by the symbol table of
# a build with symbols (target/hot).
#
#   bash link/profile.sh [--check]
#
# Kinds: http://, tcp:// and file:// always; https:// against `openssl
# s_server`; as root with Debian's postgresql, redis-server and mariadb-server
# (what benches/compare.sh installs), postgres://, redis:// and mysql:// too;
# grpc:// when `bash .ci/interop` has built its grpc-go server.
#
# With --check (.ci/test) it writes nothing, runs only the http://, tcp://
# and file:// probes, and fails if one of them now runs a function
# link/hot.txt leaves out, as after a change to the code such a probe runs:
# run it again then, and commit the list. (cargo does not see link/hot.txt: after writing it, `touch
# src/main.rs` before building.)
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = --check ] && check=true
target=x86_64-unknown-linux-musl
dir=target/hot
# The binary alone, as users build it (with the examples it would take the
# dev-dependencies' features: benches/compare.sh); the server apart.
CARGO_PROFILE_RELEASE_STRIP=false cargo build -q --release --locked --target "$target" \
  --target-dir "$dir" --bin healthprobe
cargo build -q --release --locked --target "$target" --target-dir target/bench-examples \
  --example health_server
bin=$PWD/$dir/$target/release/healthprobe
# What a probe that waits on a thread of its own (a stat, a lookup) runs or
# not by timing alone: std's slow paths for a lock or a condition variable
# two threads meet on, musl's join of a thread that ended before its
# handle was dropped (and its wait for one still ending, __timedwait_cp),
# and musl's futex wait (__wait) when the two meet on
# one of its own locks (the thread list's, as one thread starts while the
# other ends).
racy='(Mutex14lock_contended|Condvar12wait_timeout)$|^(pthread_join|pthread_timedjoin_np|pthread_setcancelstate|pthread_testcancel|__tl_sync|__wait|__timedwait|__timedwait_cp|__block_all_sigs|__unmapself)$'

# shellcheck source=benches/servers.sh
. benches/servers.sh

start_server http "$PWD/target/bench-examples/$target/release/examples/health_server" --listen 127.0.0.1:0
http=$addr
touch "$work/heartbeat"

# One probe per line: a name, then healthprobe's arguments.
probes=(
  "http -q http://$http/health"
  "tcp -q tcp://$http"
  "file -q --max-age 1h file://$work/heartbeat"
)
# --check looks at these three only: the rest need servers it need not start.
if ! $check; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=healthprobe profile CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf '%s\n' basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
    extendedKeyUsage=serverAuth subjectAltName=DNS:localhost > "$work/server.ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null
  tls_port=$(free_port)
  openssl s_server -quiet -www -accept "127.0.0.1:$tls_port" -cert "$work/server.pem" \
    -key "$work/server.key" >/dev/null 2>&1 &
  pids+=($!)
  probes+=("https -q --cacert $work/ca.pem https://localhost:$tls_port/")

  if [ "$(id -u)" = 0 ] && [ -x "$pg_bin/initdb" ] && command -v redis-server >/dev/null \
     && command -v mariadbd >/dev/null; then
    start_databases
    probes+=("postgres -q postgres://127.0.0.1:$pg_port" "redis -q redis://127.0.0.1:$redis_port"
             "mysql -q mysql://127.0.0.1:$maria_port")
  else
    echo "profile.sh: not root, or no postgresql, redis-server and mariadb-server: the database kinds are left out" >&2
  fi
  if [ -x target/interop/bin/go-health-server ]; then
    start_server grpc target/interop/bin/go-health-server --listen 127.0.0.1:0
    probes+=("grpc -q grpc://$addr")
  else
    echo "profile.sh: no target/interop/bin/go-health-server (bash .ci/interop): grpc:// is left out" >&2
  fi
fi

nm -n --defined-only "$bin" > "$work/symbols"
{
  echo "# Written by link/profile.sh on $(date -u +%Y-%m-%d) ($(rustc --version | cut -d' ' -f1-2)): the"
  echo "# functions healthy probes run, kind by kind, without the hashes rustc puts"
  echo "# in symbols. link/cc links them first, in this order."
  for probe in "${probes[@]}"; do
    read -r kind args <<<"$probe"
    # shellcheck disable=SC2086 # the arguments are words
    for _ in 1 2 3; do
      "$bin" $args >/dev/null 2>&1 && break
      sleep 0.5
    done
    # Under valgrind a TLS handshake takes seconds: a longer deadline.
    # shellcheck disable=SC2086
    if ! valgrind --tool=lackey --trace-mem=yes --log-file="$work/$kind.trace" \
        "$bin" --timeout 60s $args > "$work/$kind.log" 2>&1; then
      echo "profile.sh: the $kind probe was not healthy: healthprobe $args" >&2
      cat "$work/$kind.log" >&2
      exit 1
    fi
    echo "# $kind"
    # Every function in the order it first ran (lackey traces each
    # instruction), named by the symbol table of the build and link/key.sed.
    python3 - "$work/$kind.trace" "$work/symbols" <<'PY' | sed -E -f link/key.sed
import bisect, sys
trace, symbols = sys.argv[1:]
starts, names = [], []
for line in open(symbols):
    fields = line.split()
    if len(fields) == 3 and fields[1] in "tTwW":
        starts.append(int(fields[0], 16))
        names.append(fields[2])
seen = set()
for line in open(trace):
    if line.startswith("I "):
        i = bisect.bisect_right(starts, int(line[3:line.index(",")], 16)) - 1
        if i >= 0 and i not in seen:
            seen.add(i)
            print(names[i])
PY
    rm "$work/$kind.trace"
    # A file probe stats on a thread of its own (transport::net::Blocking),
    # and which of the two threads gets there first is timing alone: the
    # caller waits on the condition variable or finds the answer there; the
    # thread ends detached and unmaps its own stack, or has ended already
    # and dropping its handle joins it (musl's pthread_detach). Whichever
    # way this run went, both ways are in the list.
    if [ "$kind" = file ]; then
      awk '{print $3}' "$work/symbols" | sed -E -f link/key.sed | grep -E "$racy" || true
    fi
  done
} | awk '/^#/ || !seen[$0]++' > "$work/hot.txt"

if $check; then
  # What the probes every build can run (http, tcp, file) run now, and the
  # list leaves out.
  # The functions in $racy run or not by timing alone (see the file probe
  # above), so a run that happens to take them is not a stale list.
  missing=$(grep -v '^#' "$work/hot.txt" | grep -vxF -f link/hot.txt | grep -vE "$racy" || true)
  if [ -n "$missing" ]; then
    echo "profile.sh: link/hot.txt is stale; a healthy probe now also runs:" >&2
    echo "$missing" >&2
    echo "profile.sh: run \`bash link/profile.sh\` and commit link/hot.txt" >&2
    exit 1
  fi
  echo "link/hot.txt: $(grep -vc '^#' link/hot.txt) functions; it names every function an http, tcp and file probe runs"
else
  cp "$work/hot.txt" link/hot.txt
  echo "link/hot.txt: $(grep -vc '^#' link/hot.txt) functions"
fi

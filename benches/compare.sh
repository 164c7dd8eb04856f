#!/usr/bin/env bash
# What one health check costs: healthprobe (static musl, with and without TLS)
# against a std-only Rust client (the floor), curl, busybox wget and the Python
# one-liner the DHI guides suggest (and microcheck's httpcheck, when
# MICROCHECK_HTTPCHECK names a build of it),
# all probing the same fast health server on loopback, side by side; and for
# gRPC, healthprobe's grpc:// and grpcs:// against grpc-go's health client
# (what grpc-health-probe is built on) and Python grpcio's health stub, all
# asking the grpc-go health server of tests/interop/go, plain and with TLS.
#
#   bash benches/compare.sh [OUTPUT.md]      (RUNS=200 by default)
#
# Per probe it measures wall time from spawn to exit (median and p95 of RUNS
# runs, every tool of a table once a round in an order shuffled each round,
# so the ratios hold on a noisy machine), peak RSS (median of 20 runs of /usr/bin/time), page faults
# (median of 20 runs), user-space instructions (valgrind callgrind, one
# run: the count repeats exactly for single-threaded tools), system calls (strace -f -c) and the size on disk
# (with the shared libraries a dynamic tool loads). Every tool runs in the
# same small, container-like environment. It writes two Markdown tables, HTTP
# and gRPC, to OUTPUT.md (default benches/results.md).
#
# The gRPC table needs the servers, client and venv that `bash .ci/interop`
# builds into target/interop; without them it is left out (with a note), and
# with CI=true their absence is an error. As root it installs what else is
# missing with apt-get, Debian's postgresql and redis-server among them, and
# measures postgres://, redis:// and mysql:// against pg_isready, redis-cli
# ping and mariadb-admin ping, on a PostgreSQL cluster, a Redis server and a
# MariaDB server of its own (run as the packages' users); without root that
# table is left out, and with CI=true that is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-benches/results.md}
runs=${RUNS:-200}
target=x86_64-unknown-linux-musl

# gRPC: what .ci/interop builds. Checked first, so that CI fails fast.
interop=$PWD/target/interop
go_server=$interop/bin/go-health-server
go_client=$interop/bin/go-health-client
grpc_python=$interop/venv/bin/python
grpc=true
missing=()
for file in "$go_server" "$go_client" "$grpc_python"; do
  [ -x "$file" ] || missing+=("${file#"$PWD"/}")
done
if [ ${#missing[@]} -gt 0 ]; then
  grpc=false
  if [ "${CI:-}" = true ]; then
    echo "compare.sh: missing ${missing[*]}; CI measures gRPC too: run \`bash .ci/interop\` before this script" >&2
    exit 1
  fi
  echo "compare.sh: skipping the gRPC table: missing ${missing[*]}" >&2
  echo "compare.sh: build them with \`bash .ci/interop\` (as root on Debian 12 it installs Go and grpc-go), then run this again" >&2
fi

if [ "$(id -u)" = 0 ]; then
  need=()
  for tool in busybox:busybox curl:curl strace:strace valgrind:valgrind \
              /usr/bin/time:time python3:python3 gcc:gcc openssl:openssl \
              /usr/lib/postgresql/15/bin/initdb:postgresql redis-server:redis-server \
              mariadbd:mariadb-server nats-server:nats-server memcached:memcached \
              memcstat:libmemcached-tools java:default-jre-headless \
              /usr/share/java/zookeeper.jar:libzookeeper-java nc:netcat-openbsd; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

rustup target add "$target" >/dev/null 2>&1
# The binary alone, as users build it. Built together with the examples it
# would take the features the dev-dependencies turn on (wiremock turns on
# httparse's std, whose SIMD asks the CPU what it has with CPUID, which a VM
# traps: 5 us each here, 0.03 ms a probe); the examples have a target
# directory of their own.
cargo build -q --release --locked --target "$target" --bin healthprobe
cargo build -q --release --locked --target "$target" --no-default-features --features cli --target-dir target/notls
cargo build -q --release --locked --target "$target" --examples --target-dir target/bench-examples
healthprobe=$PWD/target/$target/release/healthprobe
healthprobe_notls=$PWD/target/notls/$target/release/healthprobe
server=$PWD/target/bench-examples/$target/release/examples/health_server
floor=$PWD/target/bench-examples/$target/release/examples/floor_client

# shellcheck source=benches/servers.sh
. benches/servers.sh

# What `docker exec` gives a probe: the image's few variables, no more.
clean_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 HOSTNAME=bench)

# A table is described by these arrays, one entry per row: names, commands,
# binaries (what size on disk counts), base (the row whose wall median the
# ratio column divides by) and vg_env (a variable for the callgrind run only,
# or "").
names=() commands=() binaries=() base=() vg_env=()

# The words of command $1, in the array argv (quotes as a shell reads them),
# so that every tool is exec'd directly: no shell's cost is counted.
argv=()
split() { eval "argv=(${commands[$1]})"; }

measure() {  # index -> "rss_kb faults instructions syscalls"
  local rss=() i extra=()
  split "$1"
  [ -z "${vg_env[$1]}" ] || extra=("${vg_env[$1]}")
  for i in $(seq 20); do
    rss+=("$("${clean_env[@]}" /usr/bin/time -f %M "${argv[@]}" 2>&1 >/dev/null | tail -1)")
  done
  local rss_median faults instructions syscalls
  rss_median=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n 10p)
  # Page faults: the median of 20 runs (benches/faults.py), in the same
  # environment.
  faults=$("${clean_env[@]}" python3 benches/faults.py 20 "${argv[@]}")
  instructions=$("${clean_env[@]}" "${extra[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "${argv[@]}" 2>&1 | sed -n 's/.*Collected : //p' | tail -1)
  if [ -z "$instructions" ]; then
    echo "compare.sh: callgrind counted nothing for ${names[$1]}" >&2
    exit 1
  fi
  "${clean_env[@]}" strace -f -c -o "$work/strace.txt" "${argv[@]}" >/dev/null 2>&1
  syscalls=$(awk '$NF == "total" { print $(NF-2) }' "$work/strace.txt")
  echo "$rss_median $faults $instructions $syscalls"
}

size_on_disk() {  # binary -> bytes, with the shared libraries it loads
  local binary=$1 total=0 file
  for file in "$binary" $(ldd "$binary" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
    total=$((total + $(stat -Lc %s "$file")))
  done
  echo "$total"
}

table() {  # NAME "RATIO HEADING" -> the Markdown table of the rows, on stdout
  local json=$work/$1.json heading=$2 i output rss faults instructions syscalls size
  # Every command must succeed before anything is measured.
  for i in "${!commands[@]}"; do
    split "$i"
    if ! output=$("${clean_env[@]}" "${argv[@]}" 2>&1); then
      echo "compare.sh: ${names[$i]} failed: ${commands[$i]}" >&2
      echo "$output" >&2
      exit 1
    fi
  done

  # Every tool once a round, in an order shuffled afresh each round, for
  # RUNS rounds after 5 of warm-up: a machine that slows down for a while (a
  # VM's neighbours) then slows every tool alike, and every tool follows a
  # heavy one (python, curl, whose runs leave the caches cold) as often as
  # any other (in a fixed order alternated round by round, microcheck, after
  # python every other round, came out 1.05x the floor, and 0.84x shuffled).
  # hyperfine runs each tool's runs in a block, and in blocks of 30 the same
  # two binaries came out 1.06x and 1.15x the floor in two runs on this
  # project's VM (docs/performance.md).
  echo "$1 wall time: $runs runs each, in shuffled rounds" >&2
  for i in "${!commands[@]}"; do
    split "$i"
    printf '%s\0' "${argv[@]}" > "$work/argv.$i"
  done
  "${clean_env[@]}" python3 - "$json" "$runs" "${#commands[@]}" "$work/argv" <<'PY'
import json, os, random, sys, time
out, runs, count, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
argvs = [open(f"{prefix}.{i}", "rb").read().split(b"\0")[:-1] for i in range(count)]
quiet = [(os.POSIX_SPAWN_OPEN, fd, "/dev/null", os.O_RDWR, 0) for fd in (0, 1, 2)]
times = [[] for _ in argvs]
shuffle = random.Random(22).shuffle  # the same orders in every run of the script
order = list(range(count))
for round in range(-5, runs):
    shuffle(order)
    for i in order:
        start = time.perf_counter()
        pid = os.posix_spawnp(argvs[i][0], argvs[i], dict(os.environ), file_actions=quiet)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            sys.exit(f"compare.sh: {b' '.join(argvs[i]).decode()} failed (wait status {status})")
        if round >= 0:
            times[i].append(elapsed)
json.dump({"results": [{"times": t} for t in times]}, open(out, "w"))
PY

  echo "| tool | wall median | wall p95 | $heading | peak RSS | page faults | instructions | syscalls | size on disk |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${!commands[@]}"; do
    echo "measuring ${names[$i]}" >&2
    read -r rss faults instructions syscalls < <(measure "$i")
    [ -n "$syscalls" ] || exit 1  # measure said why
    size=$(size_on_disk "${binaries[$i]}")
    python3 - "$json" "$i" "${base[$i]}" "${names[$i]}" "$rss" "$faults" "$instructions" "$syscalls" "$size" <<'PY'
import json, statistics, sys
wall, i, base, name, rss, faults, instructions, syscalls, size = sys.argv[1:]
results = json.load(open(wall))["results"]
def stats(k):
    times = sorted(results[k]["times"])
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]
median, p95 = stats(int(i))
base_median, _ = stats(int(base))
print(f"| {name} | {median*1000:.2f} ms | {p95*1000:.2f} ms | {median/base_median:.2f}x | "
      f"{int(rss):,} KiB | {faults} | {int(instructions):,} | {syscalls} | {int(size)/1e6:.2f} MB |")
PY
  done
}

# HTTP: everything against healthprobe's example health server.
start_server http "$server" --listen 127.0.0.1:0
url="http://$addr/health"

# The interpreter itself, not a wrapper script such as pyenv's shim.
python=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')

# The floor (examples/floor_client.rs): connect, write one GET, read to the
# end, with std alone and the same build and link as healthprobe. The "vs
# floor" column divides by it.
names=("healthprobe" "healthprobe, no TLS" "healthprobe tcp://" "floor: std-only Rust client"
       "curl -fsS" "busybox wget" "python3 urllib")
commands=(
  "$healthprobe -q $url"
  "$healthprobe_notls -q $url"
  "$healthprobe -q tcp://$addr"
  "$floor $addr /health"
  "curl -fsS -o /dev/null $url"
  "busybox wget -q -O /dev/null $url"
  "$python -c 'import urllib.request; urllib.request.urlopen(\"$url\")'"
)
binaries=("$healthprobe" "$healthprobe_notls" "$healthprobe" "$floor" "$(command -v curl)"
          "$(command -v busybox)" "$python")
# microcheck's httpcheck (C, static, no TLS), when MICROCHECK_HTTPCHECK names
# a build of it: it is not installed, nor its source kept, here (docs/performance.md).
if [ -n "${MICROCHECK_HTTPCHECK:-}" ]; then
  names+=("microcheck httpcheck")
  commands+=("$MICROCHECK_HTTPCHECK $url")
  binaries+=("$MICROCHECK_HTTPCHECK")
fi
base=() vg_env=()
for _ in "${names[@]}"; do
  base+=(3)
  vg_env+=("")
done
table http "vs floor" > "$work/http.md"

if $grpc; then
  # A private CA, and a server certificate it signs for localhost and
  # 127.0.0.1: CA:FALSE, as rustls (rightly) refuses a CA as a server.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=healthprobe bench CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
  printf '%s\n' basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
    extendedKeyUsage=serverAuth subjectAltName=DNS:localhost,IP:127.0.0.1 > "$work/server.ext"
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null

  start_server grpc "$go_server" --listen 127.0.0.1:0
  grpc_addr=$addr
  start_server grpcs "$go_server" --listen 127.0.0.1:0 --tls "$work/server.pem" "$work/server.key"
  grpcs_addr=localhost:${addr##*:}

  # The venv's interpreter is a link to the real one (no wrapper script in
  # between: it must resolve to an ELF file). It is run through the link, as
  # Python finds the venv, and so grpcio, from the path it was started by.
  grpc_python_real=$(readlink -f "$grpc_python")
  if ! head -c 4 "$grpc_python_real" | grep -q ELF; then
    echo "compare.sh: $grpc_python is not a link to an interpreter binary but to $grpc_python_real" >&2
    exit 1
  fi

  names=("healthprobe grpc://" "healthprobe grpcs://" "grpc-go client" "grpc-go client -tls" "python grpcio")
  commands=(
    "$healthprobe -q grpc://$grpc_addr"
    "$healthprobe -q grpcs://$grpcs_addr --cacert $work/ca.pem"
    "$go_client -addr $grpc_addr"
    "$go_client -tls -ca $work/ca.pem -addr $grpcs_addr"
    "$grpc_python -c 'import grpc; from grpc_health.v1 import health_pb2 as pb, health_pb2_grpc as rpc; ch = grpc.insecure_channel(\"$grpc_addr\"); r = rpc.HealthStub(ch).Check(pb.HealthCheckRequest(), timeout=2); ch.close(); raise SystemExit(r.status != pb.HealthCheckResponse.SERVING)'"
  )
  binaries=("$healthprobe" "$healthprobe" "$go_client" "$go_client" "$grpc_python_real")
  # Plain rows against the plain grpc-go client, TLS rows against -tls.
  base=(2 3 2 3 2)
  # Callgrind aborts on the signals the Go runtime preempts goroutines with.
  vg_env=("" "" GODEBUG=asyncpreemptoff=1 GODEBUG=asyncpreemptoff=1 "")
  table grpc "vs grpc-go" > "$work/grpc.md"

  grpc_go=$(dpkg-query -W -f '${Version}' golang-google-grpc-dev 2>/dev/null | sed 's/-[^-]*$//') || grpc_go="?"
  go_toolchain=$(go version "$go_client" 2>/dev/null | sed 's/.*: //') || go_toolchain="Go ?"
  grpcio=$("$grpc_python" -c 'import grpc; print(grpc.__version__)')
  site_packages=$("$grpc_python" -c 'import grpc, os; print(os.path.dirname(os.path.dirname(grpc.__file__)))')
  site_packages_size=$(du -sb "$site_packages" | cut -f1)
  stripped="?"
  if strip -o "$work/go-client.stripped" "$go_client" 2>/dev/null; then
    stripped=$(awk -v s="$(stat -c %s "$work/go-client.stripped")" 'BEGIN { printf "%.2f", s/1e6 }')
  fi
fi

# Databases: a PostgreSQL cluster and a Redis server of the bench's own, on
# loopback, as the packages' users; healthprobe against each ecosystem's tool.
databases=false
if [ "$(id -u)" = 0 ] && [ -x "$pg_bin/initdb" ] && command -v redis-server >/dev/null; then
  databases=true
  start_databases

  names=("healthprobe postgres://" "pg_isready" "healthprobe redis://" "redis-cli ping"
         "healthprobe mysql://" "mariadb-admin ping")
  commands=(
    "$healthprobe -q postgres://127.0.0.1:$pg_port"
    "$pg_bin/pg_isready -q -h 127.0.0.1 -p $pg_port -U postgres"
    "$healthprobe -q redis://127.0.0.1:$redis_port"
    "$(command -v redis-cli) -h 127.0.0.1 -p $redis_port ping"
    "$healthprobe -q mysql://127.0.0.1:$maria_port"
    "$(command -v mariadb-admin) --no-defaults -h 127.0.0.1 -P $maria_port ping"
  )
  binaries=("$healthprobe" "$pg_bin/pg_isready" "$healthprobe" "$(command -v redis-cli)"
            "$healthprobe" "$(command -v mariadb-admin)")
  base=(1 1 3 3 5 5)
  vg_env=("" "" "" "" "" "")
  table databases "vs the tool" > "$work/databases.md"
elif [ "${CI:-}" = true ]; then
  echo "compare.sh: CI measures the databases too: run as root, where postgresql and redis-server are installed" >&2
  exit 1
fi

# Brokers: NATS, memcached and ZooKeeper servers of the bench's own. No NATS
# client is packaged for Debian 12; ZooKeeper's check is the shell pipe its
# images' health checks use.
brokers=false
if [ "$(id -u)" = 0 ] && command -v nats-server >/dev/null && [ -f /usr/share/java/zookeeper.jar ]; then
  brokers=true
  start_brokers
  names=("healthprobe nats://" "healthprobe memcached://" "memcstat"
         "healthprobe zookeeper://" "sh -c 'printf srvr \\| nc'")
  commands=(
    "$healthprobe -q nats://127.0.0.1:$nats_port"
    "$healthprobe -q memcached://127.0.0.1:$memcached_port"
    "$(command -v memcstat) --servers=127.0.0.1:$memcached_port"
    "$healthprobe -q zookeeper://127.0.0.1:$zk_port"
    "/bin/sh -c 'printf srvr | nc -N 127.0.0.1 $zk_port'"
  )
  binaries=("$healthprobe" "$healthprobe" "$(command -v memcstat)" "$healthprobe" "$(command -v nc)")
  base=(0 2 2 4 4)
  vg_env=("" "" "" "" "")
  table brokers "vs the tool" > "$work/brokers.md"
elif [ "${CI:-}" = true ]; then
  echo "compare.sh: CI measures the brokers too: run as root, where nats-server, memcached and libzookeeper-java are installed" >&2
  exit 1
fi

cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
{
  echo "Measured $(date -u +%Y-%m-%d) on $cpu, $(nproc) cores, Linux $(uname -r),"
  # shellcheck source=/dev/null
  echo "$(. /etc/os-release && echo "$PRETTY_NAME"); healthprobe $("$healthprobe" -V | cut -d' ' -f2) built by $(rustc --version | cut -d' ' -f1-2),"
  echo "$(curl --version | head -1 | cut -d' ' -f1-2), BusyBox $(busybox | head -1 | cut -d' ' -f2),"
  echo "Python $("$python" -c 'import platform; print(platform.python_version())'); $runs runs per tool."
  echo
  echo "## HTTP"
  echo
  cat "$work/http.md"
  echo
  echo "Wall time is from posix_spawn to wait (no shell), every tool once a round, in an"
  echo "order shuffled afresh each round, $runs rounds; \"vs floor\" divides"
  echo "by the wall median of examples/floor_client.rs (connect, one GET, read to the"
  echo "end; std only, built and linked as healthprobe is). Peak RSS is /usr/bin/time's"
  echo "(which counts the pages of its own forked child too: nothing reads below"
  echo "about 430 KiB here); page faults are minor plus major faults from exec to"
  echo "exit (wait4 after posix_spawn); instructions are user-space instructions"
  echo "from valgrind callgrind (for dynamic tools they include the dynamic loader);"
  echo "syscalls come from strace -f -c and include the execve. Size on disk is the"
  echo "binary plus the shared libraries it links (for Python, not its standard"
  echo "library). \`healthprobe tcp://\` connects to the same server and closes."
  if [ -n "${MICROCHECK_HTTPCHECK:-}" ]; then
    echo "microcheck httpcheck: $MICROCHECK_HTTPCHECK, built with its own Makefile."
  fi
  echo
  echo "## gRPC"
  echo
  if $grpc; then
    echo "One grpc.health.v1.Health/Check of service \"\" against the grpc-go health"
    echo "server of tests/interop/go, plain and with TLS; grpc-go client: grpc-go"
    echo "$grpc_go (Debian's, what grpc-health-probe is built on) built by $go_toolchain;"
    echo "python grpcio: grpcio $grpcio on the same Python; $runs runs per tool."
    echo
    cat "$work/grpc.md"
    echo
    echo "Measured as above. \"vs grpc-go\" divides by the grpc-go client's wall"
    echo "median in the same mode: plain rows by \`grpc-go client\`, TLS rows by"
    echo "\`grpc-go client -tls\`. With TLS the server presents an ECDSA P-256"
    echo "certificate for localhost from a private CA made for the run, trusted with"
    echo "\`--cacert\` and \`-ca\`. The grpc-go client is tests/interop/go/client as"
    echo ".ci/interop builds it, with debug information ($stripped MB stripped,"
    echo "without its shared libraries); its instructions are counted with"
    echo "GODEBUG=asyncpreemptoff=1 (callgrind aborts on the Go runtime's preemption"
    echo "signals). The grpc-go client and grpcio run several threads, so their"
    echo "instruction counts vary by a few percent from run to run. Size on disk for"
    echo "python grpcio counts the interpreter and its shared libraries only, not the"
    echo "standard library nor the venv's site-packages (grpcio, protobuf and the"
    echo "rest: $(awk -v s="$site_packages_size" 'BEGIN { printf "%.2f", s/1e6 }') MB)."
  else
    echo "Not measured: target/interop is missing (missing: ${missing[*]});"
    echo "\`bash .ci/interop\` builds it."
  fi
  echo
  echo "## Databases"
  echo
  if $databases; then
    echo "Against a PostgreSQL $("$pg_bin/postgres" -V | cut -d' ' -f3) cluster (TCP logins by scram-sha-256), a"
    echo "Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') server and a MariaDB $(mariadbd --version | sed 's/.*Ver \([^ ]*\).*/\1/') server of the bench's own on"
    echo "loopback, Debian's packages; \"vs the tool\" divides by the ecosystem tool's"
    echo "wall median: pg_isready, redis-cli ping, mariadb-admin ping (whose login, as"
    echo "root over TCP, is refused: it still exits 0, as the server is up)."
    echo
    cat "$work/databases.md"
  else
    echo "Not measured: it needs root and Debian's postgresql, redis-server and mariadb-server."
  fi
  echo
  echo "## Brokers"
  echo
  if $brokers; then
    echo "Against a NATS $(nats-server --version | sed 's/.*v//') server, a memcached $(memcached -V | cut -d' ' -f2) server and a standalone"
    echo "ZooKeeper $(dpkg-query -W -f '${Version}' libzookeeper-java | cut -d- -f1) server of the bench's own on loopback, Debian's packages;"
    echo "\"vs the tool\" divides by the ecosystem tool's wall median: memcstat"
    echo "(libmemcached-tools), and for ZooKeeper the shell pipe \`printf srvr | nc\`"
    echo "that its images' health checks run (its instructions, page faults and"
    echo "syscalls are the shell's alone; peak RSS is the largest of the pipe's"
    echo "processes). No NATS client is packaged for Debian 12, so nats:// stands"
    echo "alone."
    echo
    cat "$work/brokers.md"
  else
    echo "Not measured: it needs root and Debian's nats-server, memcached and libzookeeper-java."
  fi
} > "$out"
cat "$out"

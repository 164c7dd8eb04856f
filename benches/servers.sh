# shellcheck shell=bash
# Servers on loopback for benches/compare.sh and link/profile.sh (sourced,
# after `set -euo pipefail`). Everything started is stopped, and $work
# removed, when the sourcing script exits.
#
#   start_server NAME COMMAND...   a server that prints `listening on ADDR`;
#                                  sets addr to ADDR
#   start_databases                as root: a PostgreSQL cluster (TCP logins
#                                  by scram-sha-256), a Redis server and a
#                                  MariaDB server, run as the packages' users;
#                                  sets pg_port, redis_port and maria_port
#   start_brokers                  as root: NATS, memcached and ZooKeeper;
#                                  sets nats_port, memcached_port and zk_port

work=$(mktemp -d)
pids=()
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=
cleanup() {
  local pid
  if [ -n "$pg_dir" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts a server (the command "$2"...) in the background, its output in
# $work/$1.out, and waits at most 5 s for its `listening on ADDR` line;
# sets addr to ADDR. Stops everything if the server exits or stays silent.
addr=
start_server() {
  local log=$work/$1.out
  shift
  "$@" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    addr=$(sed -n 's/^listening on //p' "$log")
    [ -n "$addr" ] && return
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "$0: $* did not start listening within 5 s; its output:" >&2
  cat "$log" >&2
  exit 1
}

pg_port='' redis_port='' maria_port=''
start_databases() {
  pg_dir=$work/pg
  mkdir -p "$pg_dir"
  chown postgres: "$pg_dir"
  chmod 755 "$work"
  # TCP logins by SCRAM, as the official postgres image sets them up.
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --no-sync >/dev/null
  pg_port=$(free_port)
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nfsync = off\n" \
    "$pg_port" "$pg_dir" >> "$pg_dir/data/postgresql.conf"
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start >/dev/null

  redis_port=$(free_port)
  setpriv --reuid=redis --regid=redis --init-groups redis-server --bind 127.0.0.1 --port "$redis_port" \
    --save "" --appendonly no --dir /tmp > "$work/redis.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done

  local maria_dir=$work/mariadb
  mkdir -p "$maria_dir"
  chown mysql: "$maria_dir"
  mariadb-install-db --no-defaults --user=mysql --skip-test-db --datadir="$maria_dir/data" >/dev/null 2>&1
  maria_port=$(free_port)
  setpriv --reuid=mysql --regid=mysql --init-groups /usr/sbin/mariadbd --no-defaults --skip-log-bin \
    --datadir="$maria_dir/data" --socket="$maria_dir/sock" --pid-file="$maria_dir/pid" \
    --log-error="$maria_dir/error.log" --port="$maria_port" --bind-address=127.0.0.1 >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    mariadb-admin --no-defaults -u root --socket="$maria_dir/sock" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
}

# As root: a NATS server, a memcached server and a standalone ZooKeeper
# server (Debian's libzookeeper-java, as nobody), on loopback; sets
# nats_port, memcached_port and zk_port.
nats_port='' memcached_port='' zk_port=''
start_brokers() {
  nats_port=$(free_port)
  setpriv --reuid=nats --regid=nats --init-groups /usr/sbin/nats-server -a 127.0.0.1 \
    -p "$nats_port" > "$work/nats.out" 2>&1 &
  pids+=($!)
  memcached_port=$(free_port)
  setpriv --reuid=memcache --regid=memcache --init-groups /usr/bin/memcached -l 127.0.0.1 \
    -p "$memcached_port" -U 0 > "$work/memcached.out" 2>&1 &
  pids+=($!)
  local zk_dir=$work/zookeeper
  mkdir -p "$zk_dir/data"
  chown -R nobody: "$zk_dir"
  chmod 755 "$work"
  zk_port=$(free_port)
  printf 'tickTime=2000\ndataDir=%s/data\nclientPort=%s\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n' \
    "$zk_dir" "$zk_port" > "$zk_dir/zoo.cfg"
  setpriv --reuid=nobody --regid=nogroup --clear-groups java -Xmx128m \
    -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.quorum.QuorumPeerMain \
    "$zk_dir/zoo.cfg" > "$zk_dir/out" 2>&1 &
  pids+=($!)
  local port
  for port in "$nats_port" "$memcached_port" "$zk_port"; do
    for _ in $(seq 100); do
      python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
        "$port" 2>/dev/null && break
      sleep 0.1
    done
  done
  # ZooKeeper answers before it serves: wait for its mode.
  for _ in $(seq 100); do
    printf srvr | nc -N 127.0.0.1 "$zk_port" 2>/dev/null | grep -q '^Mode: ' && break
    sleep 0.1
  done
}

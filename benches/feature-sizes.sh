#!/usr/bin/env bash
# What each cargo feature adds to a service that embeds healthprobe: the
# release build (the crate's profile: opt-level s, LTO, stripped) of
# examples/embedded.rs, whose healthcheck uses the library, for each set of
# features. Prints a Markdown table. Usage: bash benches/feature-sizes.sh
# [TARGET], e.g. x86_64-unknown-linux-musl (default: the host's).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-$(rustc -vV | sed -n 's/^host: //p')}
sets=("" "tls" "grpc" "json" "tls,grpc" "tls,grpc,json")
size() {
  cargo build --release --locked --quiet --target "$target" --example embedded \
    --no-default-features ${1:+--features "$1"}
  stat -c %s "target/$target/release/examples/embedded"
}
group() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
base=$(size "")
printf '| features | bytes | added to no features |\n|---|---:|---:|\n'
for set in "${sets[@]}"; do
  bytes=$(size "$set")
  printf '| %s | %s | %s |\n' "${set:-none (\`default-features = false\`)}" \
    "$(group "$bytes")" "$(group $((bytes - base)))"
done
echo
echo "$(rustc --version), $target, examples/embedded.rs"

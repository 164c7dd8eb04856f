# syntax=docker/dockerfile:1
#
# healthprobe's release image: FROM scratch, holding only /healthprobe (and
# an empty /probe), for
#
#   COPY --from=<registry>/healthprobe:<version> /healthprobe /usr/local/bin/healthprobe
#
# or as a Kubernetes init container that runs `/healthprobe install /probe`.
# Built by .github/workflows/release.yml for linux/amd64 and linux/arm64 with
# an SBOM and provenance:
#
#   docker buildx build -f .github/release.Dockerfile \
#     --platform linux/amd64,linux/arm64 --sbom=true --provenance=mode=max .
#
# The build stage runs on the build machine and cross-builds arm64 with the
# settings CI tests (.cargo/config.toml, .ci/build-release).

FROM --platform=$BUILDPLATFORM rust:1.95-bookworm AS build
ARG TARGETARCH
# Cross C compiler for ring's C parts when building arm64 on amd64.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc-aarch64-linux-gnu=4:12.2.0-3 \
 && rm -rf /var/lib/apt/lists/*
RUN cargo install --locked cargo-auditable@0.7.7
WORKDIR /healthprobe
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
# The x86_64 linker (link/cc: a fixed address, the hot code first; #22).
COPY link ./link
COPY .ci/build-release ./.ci/build-release
COPY src ./src
# No .git in the context: the build is dated by the commit it is told about.
ARG SOURCE_DATE_EPOCH=0
# Empty for the default build; loopback-only for the hardened variant.
ARG FEATURES=""
RUN case "$TARGETARCH" in \
      amd64) target=x86_64-unknown-linux-musl ;; \
      arm64) target=aarch64-unknown-linux-musl ;; \
      *) echo "healthprobe: unsupported TARGETARCH '$TARGETARCH'" >&2; exit 1 ;; \
    esac \
 && rustup target add "$target" \
 && bash .ci/build-release "$target" /out ${FEATURES:+--features "$FEATURES"} \
 && mkdir /out/probe

FROM scratch
COPY --from=build /out/healthprobe /healthprobe
# Empty, and the image user's: a new named volume mounted at /probe starts as
# a copy of it, so `healthprobe install /probe` can write there (a Compose
# init service; Kubernetes' emptyDir takes fsGroup instead).
COPY --from=build --chown=65532:65532 /out/probe /probe
USER 65532:65532
ENTRYPOINT ["/healthprobe"]

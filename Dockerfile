# Multi-stage build: compile in the Rust image, run from a slim Debian with only the binary.
#   docker build -t your-registry/clean:0.1.0 .
#   docker run --rm -v "$PWD:/data" your-registry/clean:0.1.0 filter /data/in /data/out
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/clean

FROM debian:bookworm-slim
COPY --from=build /src/target/release/clean /usr/local/bin/clean
# `sh` stays available for recipes that compute a shard from the pod's index (examples/k8s-job.yaml).
ENTRYPOINT ["clean"]
CMD ["--help"]

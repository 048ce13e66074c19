#!/usr/bin/env bash
# Builds the base images the Dockerfile and deploy/compose.yaml need, without any container
# registry (none can be reached on these machines):
#
#   orchestrator/debian:bookworm      Debian minbase from debootstrap, plus ca-certificates, libssl3,
#                                     iproute2 (the service proxy's `ip addr`) and curl (the healthcheck)
#   orchestrator/dotnet-runtime:10.0  that plus this machine's .NET runtimes (dotnet, host, shared)
#   orchestrator/dotnet-sdk:10.0      that plus this machine's whole .NET SDK
#   orchestrator/postgres:15          that plus Debian's postgresql-15, with deploy/postgres/entrypoint.sh
#
# The Debian mirror is read from this machine's apt sources at run time. Idempotent and cached: an
# image that exists and carries the label of its inputs (the .NET version, the entrypoint's hash)
# is kept; only what is missing or stale is built. Usage: scripts/base-images.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
[ "${1:-}" = "--force" ] && force=1
log() { printf '[base-images] %s\n' "$*"; }

# The label value an image must carry to be current, or "" when it does not exist.
image_label() { docker image inspect --format "{{ index .Config.Labels \"orchestrator.base.inputs\" }}" "$1" 2>/dev/null || true; }
current() { [ $force -eq 0 ] && [ "$(image_label "$1")" = "$2" ]; }

# The first Debian mirror of the apt sources (deb822 .sources files or the one-line format).
debian_mirror() {
  local uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  echo "base-images.sh: no Debian mirror found in /etc/apt/sources.list*" >&2
  exit 1
}

started=$(date +%s)
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
dotnet_version=$(dotnet --version)
runtime_version=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -1)

# --- orchestrator/debian:bookworm ---------------------------------------------------------
debian_inputs="bookworm-minbase-1"
if ! current orchestrator/debian:bookworm "$debian_inputs"; then
  command -v debootstrap >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  mirror=$(debian_mirror)
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm (minbase) from the machine's mirror"
  debootstrap --variant=minbase --include=ca-certificates,libssl3,iproute2,curl,tzdata bookworm "$root" "$mirror" >/tmp/orchestrator-debootstrap.log 2>&1 ||
    { tail -20 /tmp/orchestrator-debootstrap.log >&2; exit 1; }
  # Keep the image small: no package lists or caches (apt-get update brings them back when needed).
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
  tar -C "$root" -c . | docker import \
    --change "LABEL orchestrator.base.inputs=$debian_inputs" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' - orchestrator/debian:bookworm >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "built orchestrator/debian:bookworm"
fi

# Builds image $1 FROM orchestrator/debian:bookworm with the Dockerfile text $2 and the context $3.
build_on_debian() {
  printf '%s\n' "$2" | docker build -q -t "$1" -f - "$3" >/tmp/orchestrator-base-build.log 2>&1 ||
    { tail -20 /tmp/orchestrator-base-build.log >&2; exit 1; }
  log "built $1"
}

# --- orchestrator/dotnet-runtime:10.0 and orchestrator/dotnet-sdk:10.0 ----------------------
runtime_inputs="$debian_inputs;runtime-$runtime_version"
if ! current orchestrator/dotnet-runtime:10.0 "$runtime_inputs"; then
  context=$(mktemp -d)
  mkdir -p "$context/dotnet"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$context/dotnet/"
  build_on_debian orchestrator/dotnet-runtime:10.0 "FROM orchestrator/debian:bookworm
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LABEL orchestrator.base.inputs=\"$runtime_inputs\"" "$context"
  rm -rf "$context"
fi

sdk_inputs="$runtime_inputs;sdk-$dotnet_version;invariant;ca-$(sha256sum /etc/ssl/certs/ca-certificates.crt | cut -c1-12)"
if ! current orchestrator/dotnet-sdk:10.0 "$sdk_inputs"; then
  context=$(mktemp -d)
  mkdir -p "$context/dotnet"
  # The runtime image has dotnet, host and shared already: add the rest of the installation.
  for part in "$dotnet_root"/*; do
    case "$(basename "$part")" in dotnet|host|shared) ;; *) cp -a "$part" "$context/dotnet/" ;; esac
  done
  # The restore reaches the package feed through whatever this machine trusts: its CA bundle.
  cp /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"
  build_on_debian orchestrator/dotnet-sdk:10.0 "FROM orchestrator/dotnet-runtime:10.0
COPY dotnet /usr/share/dotnet
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# The image has no ICU; the node itself is built with InvariantGlobalization, the SDK is told so.
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
LABEL orchestrator.base.inputs=\"$sdk_inputs\"" "$context"
  rm -rf "$context"
fi

# --- orchestrator/postgres:15 --------------------------------------------------------------
entrypoint=deploy/postgres/entrypoint.sh
pg_inputs="$debian_inputs;pg15;$(sha256sum "$entrypoint" | cut -c1-12)"
if ! current orchestrator/postgres:15 "$pg_inputs"; then
  # The image's apt sources: the machine's own (debootstrap leaves only the main suite).
  context=$(mktemp -d)
  cp "$entrypoint" "$context/entrypoint.sh"
  cp -a /etc/apt/sources.list.d "$context/sources.list.d"
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$context/sources.list" || : > "$context/sources.list"
  build_on_debian orchestrator/postgres:15 "FROM orchestrator/debian:bookworm
COPY sources.list /etc/apt/sources.list
COPY sources.list.d /etc/apt/sources.list.d
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \\
 && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15/main && mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql
COPY entrypoint.sh /usr/local/bin/postgres-entrypoint
ENV PGDATA=/var/lib/postgresql/data PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EXPOSE 5432
HEALTHCHECK --interval=2s --timeout=3s --retries=30 CMD pg_isready -q -h 127.0.0.1 -U postgres
ENTRYPOINT [\"/usr/local/bin/postgres-entrypoint\"]
LABEL orchestrator.base.inputs=\"$pg_inputs\"" "$context"
  rm -rf "$context"
fi

log "ready in $(( $(date +%s) - started )) s"

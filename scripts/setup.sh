#!/usr/bin/env bash
# Prepares a fresh Debian machine for Orchestrator: the Docker engine (Debian's docker.io),
# PostgreSQL 15, and the small local images the tests and examples use (no image can be
# pulled on these machines, so they are built from Debian packages with `docker import`).
#
# Idempotent: every step checks first and does nothing when its part is already there.
# Usage: scripts/setup.sh [--no-postgres] [--no-base-images]
#   --no-base-images: skip docker-compose and the base images of the Dockerfile and deploy/compose.yaml
#   (scripts/base-images.sh: about 100 s the first time, cached after that).
set -euo pipefail

want_postgres=1
want_base_images=1
for arg in "$@"; do
  case "$arg" in
    --no-postgres) want_postgres=0 ;;
    --no-base-images) want_base_images=0 ;;
    *) echo "setup.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# --- Docker engine -----------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_install docker.io
  fi
  if ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    as_root mkdir -p /var/log
    as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 1
    done
    docker info >/dev/null 2>&1 || { echo "setup.sh: dockerd did not start; see /var/log/dockerd.log" >&2; tail -20 /var/log/dockerd.log >&2 || true; exit 1; }
  fi
fi
log "docker engine $(docker version --format '{{.Server.Version}}') ready"

# --- Local test image: busybox from Debian's busybox-static ------------------------------
# orchestrator/busybox:latest has /bin/sh, sleep, httpd, nc, wget, ... and nothing else.
if ! docker image inspect orchestrator/busybox:latest >/dev/null 2>&1; then
  apt_install busybox-static
  tmp=$(mktemp -d)
  mkdir -p "$tmp/bin" "$tmp/www" "$tmp/tmp" "$tmp/etc"
  cp /bin/busybox "$tmp/bin/busybox"
  for applet in $("$tmp/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
  done
  echo "hello from orchestrator/busybox" > "$tmp/www/index.html"
  echo "root:x:0:0:root:/root:/bin/sh" > "$tmp/etc/passwd"
  echo "nobody:x:65534:65534:nobody:/:/bin/false" >> "$tmp/etc/passwd"
  echo "root:x:0:" > "$tmp/etc/group"
  tar -C "$tmp" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - orchestrator/busybox:latest >/dev/null
  rm -rf "$tmp"
  log "built image orchestrator/busybox:latest"
fi

# orchestrator/busybox:v2: a second tag of the same image, so rolling-update tests have "a new
# image" to roll to (a tag costs nothing and needs no registry).
if ! docker image inspect orchestrator/busybox:v2 >/dev/null 2>&1; then
  docker tag orchestrator/busybox:latest orchestrator/busybox:v2
  log "tagged orchestrator/busybox:v2"
fi

# --- Local pod infra image: orchestrator/pause:latest ------------------------------------
# The container that owns a pod's network namespace (the sandbox; Kubernetes' "pause").
# A static C program of a few lines: it sleeps in pause(), reaps children, and exits 0 at
# once on SIGTERM/SIGINT (a PID 1 gets no default signal handlers, so `sleep` would make
# every `docker stop` wait out the whole grace period).
if ! docker image inspect orchestrator/pause:latest >/dev/null 2>&1; then
  command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev
  tmp=$(mktemp -d)
  cat > "$tmp/pause.c" <<'PAUSE_C'
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) { (void)sig; _exit(0); }
static void on_child(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) {} }

int main(void) {
  struct sigaction stop = { .sa_handler = on_stop };
  struct sigaction child = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };
  if (sigaction(SIGTERM, &stop, NULL) < 0 || sigaction(SIGINT, &stop, NULL) < 0 ||
      sigaction(SIGCHLD, &child, NULL) < 0)
    return 1;
  for (;;) pause();
}
PAUSE_C
  mkdir -p "$tmp/root"
  cc -static -Os -s -o "$tmp/root/pause" "$tmp/pause.c"
  tar -C "$tmp/root" -c . | docker import --change 'ENTRYPOINT ["/pause"]' - orchestrator/pause:latest >/dev/null
  rm -rf "$tmp"
  log "built image orchestrator/pause:latest"
fi

# Builds image $3 holding only the static C program $1/$2.c as /$2 (its entrypoint); removes $1.
static_program_image() {
  mkdir -p "$1/root"
  cc -static -Os -s -o "$1/root/$2" "$1/$2.c"
  tar -C "$1/root" -c . | docker import --change "ENTRYPOINT [\"/$2\"]" - "$3" >/dev/null
  rm -rf "$1"
  log "built image $3"
}

# --- Local UDP echo image: orchestrator/udp-echo:v1 --------------------------------------
# Busybox here has no UDP server or client, so the Service proxy's UDP tests use this static C
# program: `udp-echo PORT` answers every datagram with its own bytes (until SIGTERM);
# `udp-echo -c ADDRESS PORT TEXT` sends TEXT once and prints the answer (exit 1 after 3 s without).
if ! docker image inspect orchestrator/udp-echo:v1 >/dev/null 2>&1; then
  command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev
  tmp=$(mktemp -d)
  cat > "$tmp/udp-echo.c" <<'UDP_ECHO_C'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void on_stop(int sig) { (void)sig; _exit(0); }

int main(int argc, char **argv) {
  char buffer[65536];
  struct sockaddr_in address = { .sin_family = AF_INET };
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) return 2;
  if (argc == 5 && strcmp(argv[1], "-c") == 0) {
    struct timeval timeout = { .tv_sec = 3 };
    address.sin_port = htons((unsigned short)atoi(argv[3]));
    if (inet_pton(AF_INET, argv[2], &address.sin_addr) != 1) return 2;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (sendto(s, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&address, sizeof address) < 0) return 1;
    ssize_t n = recv(s, buffer, sizeof buffer - 1, 0);
    if (n < 0) { fprintf(stderr, "no answer\n"); return 1; }
    buffer[n] = 0;
    printf("%s\n", buffer);
    return 0;
  }
  if (argc != 2) { fprintf(stderr, "usage: udp-echo PORT | udp-echo -c ADDRESS PORT TEXT\n"); return 2; }
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  address.sin_port = htons((unsigned short)atoi(argv[1]));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(s, (struct sockaddr *)&address, sizeof address) < 0) return 1;
  for (;;) {
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    ssize_t n = recvfrom(s, buffer, sizeof buffer, 0, (struct sockaddr *)&peer, &length);
    if (n >= 0) sendto(s, buffer, (size_t)n, 0, (struct sockaddr *)&peer, length);
  }
}
UDP_ECHO_C
  static_program_image "$tmp" udp-echo orchestrator/udp-echo:v1
fi

# --- Local keep-alive HTTP server image: orchestrator/http-server:v1 ---------------------
# busybox httpd closes every connection after one answer, so it cannot show keep-alive traffic.
# `http-server [PORT]` (default 8080; a process per connection) answers every request with its
# host name, keeping the connection open unless the request says Connection: close. For the
# service proxy benchmark.
if ! docker image inspect orchestrator/http-server:v1 >/dev/null 2>&1; then
  command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev
  tmp=$(mktemp -d)
  cat > "$tmp/http-server.c" <<'HTTP_SERVER_C'
#define _GNU_SOURCE
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_stop(int sig) { (void)sig; _exit(0); }

static void serve(int c, const char *body) {
  char request[8192];
  size_t used = 0;
  char response[512];
  int length = snprintf(response, sizeof response,
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
  for (;;) {
    ssize_t n = read(c, request + used, sizeof request - 1 - used);
    if (n <= 0) return;
    used += (size_t)n;
    request[used] = 0;
    char *end;
    while ((end = strstr(request, "\r\n\r\n")) != NULL) {
      *end = 0;
      int close_after = strcasestr(request, "Connection: close") != NULL;
      if (write(c, response, (size_t)length) != length || close_after) return;
      size_t rest = used - (size_t)(end + 4 - request);
      memmove(request, end + 4, rest);
      used = rest;
      request[used] = 0;
    }
    if (used >= sizeof request - 1) return;
  }
}

int main(int argc, char **argv) {
  char host[256] = "", body[300];
  int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(argc > 1 ? (unsigned short)atoi(argv[1]) : 8080) };
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  signal(SIGCHLD, SIG_IGN);
  gethostname(host, sizeof host - 1);
  snprintf(body, sizeof body, "%s\n", host);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(s, (struct sockaddr *)&address, sizeof address) < 0 || listen(s, 1024) < 0) return 1;
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    if (fork() == 0) { close(s); serve(c, body); _exit(0); }
    close(c);
  }
}
HTTP_SERVER_C
  static_program_image "$tmp" http-server orchestrator/http-server:v1
fi

# --- wrk, for the service proxy benchmark (bench/Orchestrator.ServiceProxyBenchmarks) ------
command -v wrk >/dev/null 2>&1 || apt_install wrk

# --- Chromium and Prometheus, for the dashboard's browser tests and the metrics scrape test --
# Debian's chromium (Playwright drives it by path; its own browser download cannot work here) and
# Debian's prometheus (a real server scrapes a node's /metrics; the test starts its own).
apt_install chromium prometheus
log "chromium $(dpkg-query -W -f='${Version}' chromium), prometheus $(dpkg-query -W -f='${Version}' prometheus) ready"

# --- The official Python client, for the client suite (OfficialPythonClientTests) ---------
# Debian's python3-kubernetes and python3-pytest; the tests run them with /usr/bin/python3.
apt_install python3-kubernetes python3-pytest
log "python3-kubernetes $(dpkg-query -W -f='${Version}' python3-kubernetes) ready"

# --- The cluster as containers: docker-compose and the base images (deploy/compose.yaml) ---
# Debian's docker-compose (1.29); the base images are built without a registry and cached
# (scripts/base-images.sh does nothing when they are current).
if [ $want_base_images -eq 1 ]; then
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  bash "$(dirname "$0")/base-images.sh"
fi

# --- PostgreSQL 15 (the cluster journal) -------------------------------------------------
if [ $want_postgres -eq 1 ]; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! dpkg -s postgresql >/dev/null 2>&1; then
    apt_install postgresql
  fi
  if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
    log "starting postgresql"
    ver=$(pg_lsclusters -h | awk 'NR==1{print $1}')
    as_root pg_ctlcluster "$ver" main start
  fi
  # A password login on 127.0.0.1 for the tests and the cluster overlay.
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='orchestrator'\"" | grep -q 1 ||
    as_root su postgres -c "psql -qc \"CREATE ROLE orchestrator LOGIN SUPERUSER PASSWORD 'orchestrator'\""
  as_root su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='orchestrator'\"" | grep -q 1 ||
    as_root su postgres -c "psql -qc \"CREATE DATABASE orchestrator OWNER orchestrator\""
  log "postgresql ready (postgres://orchestrator:orchestrator@127.0.0.1:5432/orchestrator)"
fi
log "done"

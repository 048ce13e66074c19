#!/usr/bin/env bash
# Sets up this machine (Docker engine, local images; idempotent) and starts a single-node
# Orchestrator in the foreground: the API on http://127.0.0.1:8001 (kubectl --server ...),
# the journal in ./data (SQLite). Ctrl+C stops it; state survives restarts.
# Extra arguments go to the node, e.g. --config hocon/cluster.conf.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-postgres
dotnet build src/Orchestrator.Host -c Release -nologo -clp:ErrorsOnly
exec dotnet src/Orchestrator.Host/bin/Release/net10.0/orchestrator.dll "$@"

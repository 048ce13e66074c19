#!/usr/bin/env bash
# Runs every test of the solution on this machine: sets up what the tests need first (Docker
# engine, PostgreSQL, local images; idempotent), builds, runs `dotnet test`, and closes with one
# summary line "N passed, N failed, N skipped".
#
# Tests that need Docker, PostgreSQL or kubectl skip with a reason when those are missing; with
# ORCHESTRATOR_REQUIRE_REAL_PARTS=1 (as .ci/run sets) they fail instead.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "test.sh: setup failed" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Orchestrator.sln -c Release -nologo -clp:ErrorsOnly || { echo "test.sh: build failed" >&2; exit 1; }

log=$(mktemp)
# Test projects run one after another (-m:1): several of them start cluster nodes and containers,
# and the machine has two cores.
dotnet test Orchestrator.sln -c Release --no-build -nologo -m:1 --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each test assembly ends with "Total tests: N" then "Passed: N", "Failed: N", "Skipped: N" lines.
summary=$(grep -E '^ *(Passed|Failed|Skipped): *[0-9]+ *$' "$log" |
  awk -F': *' '{gsub(/ /, "", $1); n[$1]+=$2} END {printf "%d passed, %d failed, %d skipped\n", n["Passed"], n["Failed"], n["Skipped"]}')
rm -f "$log"
echo "$summary"
exit "$status"

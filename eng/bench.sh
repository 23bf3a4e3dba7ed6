#!/usr/bin/env bash
# Runs the benchmarks of tests/Pipeline.Benchmarks (Release build) against private servers, as eng/test.sh does.
#   ./eng/bench.sh [scenario ...]     scenarios: outbox gateway writes board reports review lag import stream webhooks
#                                     automation-eval automation-due automation-simulate web (default: all)
# Figures and how to read them: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=Release ./eng/setup.sh
source eng/infra/test-servers.sh
start_test_servers
dotnet run --project tests/Pipeline.Benchmarks -c Release --no-build -- "$@"

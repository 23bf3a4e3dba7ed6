#!/usr/bin/env bash
# Runs the full test suite against real servers: installs what is missing, starts a private PostgreSQL and
# RabbitMQ for the run (fresh data, test ports), runs every test project, stops the servers.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Outbox).
set -euo pipefail
cd "$(dirname "$0")/.."
PIPELINE_SETUP_TEST_TOOLS=1 ./eng/setup.sh
source eng/infra/test-servers.sh
start_test_servers
# One test project at a time (-m:1): on two cores, the whole system under Aspire, a 8,800-row import and the
# reporting projection running side by side starved one another into timeouts; serial is slower but steady.
dotnet test Pipeline.Cloud.sln --no-build -m:1 -c "${CONFIGURATION:-Debug}" --logger "console;verbosity=normal" "$@"

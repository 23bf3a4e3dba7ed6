#!/usr/bin/env bash
# Runs the full test suite against real servers: installs what is missing, starts a private PostgreSQL and
# RabbitMQ for the run (fresh data, test ports), runs every test project, stops the servers.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Outbox).
set -euo pipefail
cd "$(dirname "$0")/.."
PIPELINE_SETUP_TEST_TOOLS=1 ./eng/setup.sh
configuration=${CONFIGURATION:-Debug}
# The pure logic first, without servers: a slip in a formula shows in seconds, not after the whole suite.
status=0
for project in tests/*.UnitTests/*.csproj; do
  dotnet test "$project" --no-build -c "$configuration" --logger "console;verbosity=minimal" "$@" || status=1
done
source eng/infra/test-servers.sh
start_test_servers
# One test project at a time: on two cores, the whole system under Aspire, a 8,800-row import and the reporting
# projection running side by side starved one another into timeouts; serial is slower but steady.
# Every project runs even after a failure, so one run shows every failing test.
for project in $(ls tests/*/*.Tests.csproj | grep -v UnitTests); do
  dotnet test "$project" --no-build -c "$configuration" --logger "console;verbosity=normal" "$@" || status=1
done
exit "$status"

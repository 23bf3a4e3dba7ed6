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
# Each project's output is also kept, so the run ends with a summary of what failed: CI shows only the end of a
# long log, and the failing project may have run twenty minutes before the last one.
logs=$(mktemp -d)
summary=()
run_project() {
  local project=$1 verbosity=$2; shift 2
  local name log
  name=$(basename "$project" .csproj); log="$logs/$name.log"
  if dotnet test "$project" --no-build -c "$configuration" --logger "console;verbosity=$verbosity" "$@" 2>&1 | tee "$log"; then
    summary+=("passed  $name")
  else
    status=1
    summary+=("FAILED  $name")
    # Each failed test, its message, and the line of the test it failed at (the first stack line in tests/).
    while IFS= read -r line; do summary+=("          $line"); done < <(awk '
      /^[[:space:]]*Failed Pipeline[.]/ { shown = 4; wanted = 1 }
      shown > 0 { print; shown--; next }
      wanted && /\/tests\/.*:line [0-9]+/ { print; wanted = 0 }' "$log" | head -50)
  fi
}
for project in tests/*.UnitTests/*.csproj; do
  run_project "$project" minimal "$@"
done
source eng/infra/test-servers.sh
start_test_servers
# One test project at a time: on two cores, the whole system under Aspire, a 8,800-row import and the reporting
# projection running side by side starved one another into timeouts; serial is slower but steady.
# Every project runs even after a failure, so one run shows every failing test.
for project in $(ls tests/*/*.Tests.csproj | grep -v UnitTests); do
  run_project "$project" normal "$@"
done
echo
echo "Test summary:"
printf '  %s\n' "${summary[@]}"
rm -rf "$logs"
exit "$status"

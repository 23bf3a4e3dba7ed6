#!/usr/bin/env bash
# Runs the whole of Pipeline.Cloud under .NET Aspire: PostgreSQL, RabbitMQ, every service, the gateway
# and the dashboard. Ctrl+C stops everything.
#   gateway (web UI and APIs): http://localhost:8080     Aspire dashboard: http://localhost:18888
set -euo pipefail
cd "$(dirname "$0")/.."
./eng/setup.sh
echo "[run] starting: gateway http://localhost:8080  dashboard http://localhost:18888"
exec dotnet run --project apphost/Pipeline.AppHost --no-build --launch-profile http -- "$@"

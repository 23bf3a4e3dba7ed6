#!/usr/bin/env bash
# Regenerates the web UI's typed API client from the services' OpenAPI documents, in two steps:
#  1. each service's OpenAPI test run against test servers and, with
#     PIPELINE_UPDATE_OPENAPI=1, write the documents the services serve to services/Web/ApiClients/OpenApi/;
#  2. NSwag (a local dotnet tool) generates services/Web/ApiClients/*.g.cs from them (settings in *.nswag.json).
# Commit both. The same tests, run without the variable, fail when a service's document no longer matches the copy
# (and Pipeline.Web.Tests fails when the generated code no longer matches the copy).
# --from-copies skips step 1 (regenerates the code from the committed documents).
set -euo pipefail
cd "$(dirname "$0")/.."
projects="Opportunity Identity Automation Notification Reporting"
if [ "${1:-}" != "--from-copies" ]; then
  for project in $projects; do
    dotnet build "tests/Pipeline.$project.Tests" -nologo -v:q "-clp:ErrorsOnly;NoSummary"
  done
  source eng/infra/test-servers.sh
  start_test_servers
  for project in $projects; do
    PIPELINE_UPDATE_OPENAPI=1 dotnet test "tests/Pipeline.$project.Tests" --no-build -nologo \
      --filter "FullyQualifiedName~OpenApiDocumentTests" --logger "console;verbosity=minimal"
  done
fi
dotnet tool restore >/dev/null
for service in opportunity identity automation notification reporting; do
  dotnet nswag run "services/Web/ApiClients/$service.nswag.json" >/dev/null
done
echo "API client regenerated: services/Web/ApiClients"

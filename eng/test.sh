#!/usr/bin/env bash
# Runs the full test suite against real servers: installs what is missing, starts a private PostgreSQL
# and RabbitMQ for the run (fresh data, fixed test ports), runs every test project, stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
PIPELINE_SETUP_TEST_TOOLS=1 ./eng/setup.sh

data=/var/tmp/pipeline-cloud/test
pg_port=55433 mq_port=56721
rm -rf "$data"; mkdir -p "$data"
PGDATA="$data/postgres" PGPORT=$pg_port PG_EXTRA_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  ./eng/infra/postgres.sh >"$data/postgres.log" 2>&1 &
pg_pid=$!
MQ_BASE="$data/rabbitmq" MQ_PORT=$mq_port ./eng/infra/rabbitmq.sh >"$data/rabbitmq.log" 2>&1 &
mq_pid=$!
stop_servers() { kill "$pg_pid" "$mq_pid" 2>/dev/null || true; wait "$pg_pid" "$mq_pid" 2>/dev/null || true; }
trap stop_servers EXIT

export PIPELINE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Pooling=true"
export PIPELINE_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$mq_port/"
export PIPELINE_TEST_RABBITMQ_NODE="pipeline-$mq_port@localhost"
export PIPELINE_TEST_RABBITMQ_HOME="$data/rabbitmq/home"
./eng/infra/wait-ready.sh "$pg_port" "$mq_port" "$PIPELINE_TEST_RABBITMQ_NODE" "$PIPELINE_TEST_RABBITMQ_HOME"

dotnet test Pipeline.Cloud.sln --no-build -c "${CONFIGURATION:-Debug}" --logger "console;verbosity=normal" "$@"

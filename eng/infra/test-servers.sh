#!/usr/bin/env bash
# Sourced by eng/test.sh and eng/bench.sh: starts a private PostgreSQL, RabbitMQ and SMTP server with fresh data
# on fixed test ports, exports their addresses for the tests (PIPELINE_TEST_*), and stops them when the caller
# exits. PIPELINE_TEST_PG_PORT / PIPELINE_TEST_MQ_PORT / PIPELINE_TEST_SMTP_PORT move them, to run two
# checkouts' tests side by side.
start_test_servers() {
  local pg_port=${PIPELINE_TEST_PG_PORT:-55433} mq_port=${PIPELINE_TEST_MQ_PORT:-56721} smtp_port=${PIPELINE_TEST_SMTP_PORT:-55025}
  local data=/var/tmp/pipeline-cloud/test-$pg_port
  local infra
  infra="$(dirname "${BASH_SOURCE[0]}")"
  rm -rf "$data"; mkdir -p "$data"
  # fsync off: the test data is thrown away, and no test crashes the machine itself.
  PGDATA="$data/postgres" PGPORT=$pg_port PG_EXTRA_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    "$infra/postgres.sh" >"$data/postgres.log" 2>&1 &
  TEST_PG_PID=$!
  MQ_BASE="$data/rabbitmq" MQ_PORT=$mq_port "$infra/rabbitmq.sh" >"$data/rabbitmq.log" 2>&1 &
  TEST_MQ_PID=$!
  SMTP_MAILDIR="$data/mail" SMTP_PORT=$smtp_port "$infra/smtp.sh" >"$data/smtp.log" 2>&1 &
  TEST_SMTP_PID=$!
  trap stop_test_servers EXIT

  export PIPELINE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Pooling=true"
  export PIPELINE_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$mq_port/"
  export PIPELINE_TEST_RABBITMQ_NODE="pipeline-$mq_port@localhost"
  export PIPELINE_TEST_RABBITMQ_HOME="$data/rabbitmq/home"
  # Every message the SMTP server accepts lands as a file in $PIPELINE_TEST_MAILDIR/new/.
  export PIPELINE_TEST_SMTP="smtp://127.0.0.1:$smtp_port"
  export PIPELINE_TEST_MAILDIR="$data/mail"
  "$infra/wait-ready.sh" "$pg_port" "$mq_port" "$PIPELINE_TEST_RABBITMQ_NODE" "$PIPELINE_TEST_RABBITMQ_HOME" "$smtp_port"
}

stop_test_servers() {
  kill "$TEST_PG_PID" "$TEST_MQ_PID" "$TEST_SMTP_PID" 2>/dev/null || true
  wait "$TEST_PG_PID" "$TEST_MQ_PID" "$TEST_SMTP_PID" 2>/dev/null || true
}

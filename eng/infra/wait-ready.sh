#!/usr/bin/env bash
# Waits until the private PostgreSQL and RabbitMQ (and, when its port is given, the SMTP server) started by
# eng/infra/*.sh accept work.
# usage: wait-ready.sh <pg-port> <amqp-port> <rabbit-node> <rabbit-home> [smtp-port]
set -euo pipefail
pg_port=$1 mq_port=$2 node=$3 home=$4 smtp_port=${5:-}
for _ in $(seq 1 120); do pg_isready -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.5; done
pg_isready -q -h 127.0.0.1 -p "$pg_port" || { echo "[wait-ready] PostgreSQL on $pg_port did not start" >&2; exit 1; }
# await_startup fails at once (rc 69) until the node has registered with epmd, so it is retried.
for _ in $(seq 1 120); do
  HOME="$home" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$node" await_startup --timeout 60 >/dev/null 2>&1 && break
  sleep 0.5
done
HOME="$home" /usr/lib/rabbitmq/bin/rabbitmqctl -q -n "$node" await_startup --timeout 5 >/dev/null \
  || { echo "[wait-ready] RabbitMQ on $mq_port did not start" >&2; exit 1; }
if [[ -n "$smtp_port" ]]; then
  smtp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; }
  for _ in $(seq 1 60); do smtp_up && break; sleep 0.5; done
  smtp_up || { echo "[wait-ready] the SMTP server on $smtp_port did not start" >&2; exit 1; }
fi
echo "[wait-ready] PostgreSQL :$pg_port and RabbitMQ :$mq_port${smtp_port:+ and SMTP :$smtp_port} are ready"

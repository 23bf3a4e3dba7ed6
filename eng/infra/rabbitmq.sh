#!/usr/bin/env bash
# Runs a private RabbitMQ node from the Debian package, in the foreground, isolated from any system
# instance: its own node name, ports, data directory and Erlang cookie.
#   MQ_BASE   data directory (mnesia, logs, cookie)
#   MQ_PORT   AMQP port on 127.0.0.1
#   MQ_MANAGEMENT_PORT  when set, enables the management UI/API there (for operators: queues, error queues)
# rabbitmqctl reaches the node with:  HOME=$MQ_BASE/home rabbitmqctl -n pipeline-$MQ_PORT@localhost ...
set -euo pipefail
MQ_BASE=${MQ_BASE:?MQ_BASE is required}
MQ_PORT=${MQ_PORT:-56720}
mkdir -p "$MQ_BASE/mnesia" "$MQ_BASE/log" "$MQ_BASE/home"
{
  echo "listeners.tcp.1 = 127.0.0.1:$MQ_PORT"
  echo "loopback_users.guest = true"
  echo "log.console = true"
  echo "log.console.level = warning"
  echo "log.file = false"
  if [[ -n "${MQ_MANAGEMENT_PORT:-}" ]]; then
    echo "management.tcp.ip = 127.0.0.1"
    echo "management.tcp.port = $MQ_MANAGEMENT_PORT"
  fi
} >"$MQ_BASE/rabbitmq.conf"
if [[ -n "${MQ_MANAGEMENT_PORT:-}" ]]; then
  # The shovel plugins give the management UI its "Move messages" button, to replay an error queue.
  echo '[rabbitmq_management,rabbitmq_shovel,rabbitmq_shovel_management].' >"$MQ_BASE/enabled_plugins"
else
  echo '[].' >"$MQ_BASE/enabled_plugins"
fi
export HOME="$MQ_BASE/home"
export RABBITMQ_NODENAME="pipeline-$MQ_PORT@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT=${MQ_DIST_PORT:-$((MQ_PORT + 1000))}
export ERL_EPMD_ADDRESS=127.0.0.1
# The Erlang distribution port (RABBITMQ_DIST_PORT) listens on every interface unless told otherwise.
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CONFIG_FILE="$MQ_BASE/rabbitmq.conf"
export RABBITMQ_ENABLED_PLUGINS_FILE="$MQ_BASE/enabled_plugins"
export RABBITMQ_MNESIA_BASE="$MQ_BASE/mnesia"
export RABBITMQ_LOG_BASE="$MQ_BASE/log"
export RABBITMQ_PID_FILE="$MQ_BASE/rabbit.pid"
export ERL_CRASH_DUMP="$MQ_BASE/log/erl_crash.dump"
# Its startup banner and errors go to stderr; the dashboard would show them all as errors.
exec /usr/lib/rabbitmq/bin/rabbitmq-server 2>&1

#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) from Maven Central jars.
#   infra/kafka.sh fetch|start|stop|status
# Settings (environment): PW_STATE_DIR (default .local), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (512m).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${PW_STATE_DIR:-$root/.local}"
libs="$root/.local/kafka/libs"          # jars are shared by every state dir
dir="$state/kafka"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
pidfile="$dir/kafka.pid"

fetch() {
  if [ -f "$libs/.complete" ]; then return; fi
  echo "kafka: resolving jars from Maven Central into $libs" >&2
  mkdir -p "$libs"
  mvn -q -B -f "$root/infra/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

write_config() {
  mkdir -p "$dir/data" "$dir/logs"
  cat > "$dir/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
# pollwatch creates every topic itself (services/common/contracts/topics.py).
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CONF
}

java_opts=(-Xms128m -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC -Djava.awt.headless=true
  -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$root/infra/kafka/log4j2.properties"
  -cp "$libs/*")
java_run() { java "${java_opts[@]}" "$@"; }

start() {
  fetch
  if running; then echo "kafka: already running (pid $(cat "$pidfile")) on 127.0.0.1:$port" >&2; return; fi
  write_config
  if [ ! -f "$dir/data/meta.properties" ]; then
    [ -f "$dir/cluster.id" ] || java_run kafka.tools.StorageTool random-uuid > "$dir/cluster.id"
    java_run kafka.tools.StorageTool format --standalone -t "$(cat "$dir/cluster.id")" \
      -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1
  fi
  : > "$dir/logs/server.log"
  nohup java "${java_opts[@]}" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 240); do
    if grep -q "Kafka Server started" "$dir/logs/server.log" 2>/dev/null; then
      echo "kafka: started on 127.0.0.1:$port (pid $(cat "$pidfile"))" >&2; return
    fi
    if ! running; then
      echo "kafka: exited during start; see $dir/logs" >&2; tail -20 "$dir/logs/stdout.log" >&2; exit 1
    fi
    sleep 0.5
  done
  echo "kafka: not started after 120 s; see $dir/logs/server.log" >&2; exit 1
}

stop() {
  if ! running; then rm -f "$pidfile"; return; fi
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$pidfile"
  echo "kafka: stopped" >&2
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running pid $(cat "$pidfile")"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac

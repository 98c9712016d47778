#!/bin/bash
# Starts real Manila 15 (dummy DHSS=True driver), Cinder 21 (fake driver) and Nova 26 (fake virt driver,
# with placement and an agent-less neutron-server) from the Debian packages, on 127.0.0.1 only, as plain
# background processes, plus a private PostgreSQL cluster and RabbitMQ node. Ports are picked at start time;
# configs are rendered from templates/ into run/etc; run/endpoints.json tells clients where things are.
# On failure it prints the relevant log and stops what it started. Needs root (postgres runs as postgres).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if is_running; then echo "start.sh: already running (run/endpoints.json)"; exit 0; fi
if compgen -G "$PIDS/*.pid" >/dev/null; then
  echo "start.sh: a previous run was not stopped cleanly; stopping it first"
  "$HERE/stop.sh"
fi

T0=$EPOCHREALTIME
ts() { printf '[%6.1fs] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN{print b-a}')" "$*"; }
declare -A chains=() # background start-up chains: pid -> service (see below)
fail() {
  trap - ERR INT TERM
  local message=$1 pid log
  shift
  echo "start.sh: FAILED: $message" >&2
  # chains still running would go on starting daemons after stop.sh: end them (and their current step) first
  for pid in "${!chains[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null
    kill -TERM "$pid" 2>/dev/null
  done
  for log in "$@"; do [ -f "$LOGS/$log" ] && { echo "--- tail of $LOGS/$log" >&2; tail -n 15 "$LOGS/$log" >&2; }; done
  "$HERE/stop.sh" >&2 || true
  exit 1
}
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR
trap 'fail "interrupted"' INT TERM

# wait_for seconds command...: polls the command every 0.25 s until it succeeds; fails after the deadline.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.25
  done
}

mkdir -p "$ETC" "$LOGS" "$PIDS" "$RUN/pgsock" "$RUN/rabbitmq" \
  "$RUN"/state/{manila,cinder,nova,neutron}/lock "$RUN/state/nova/instances"

# --- ports: random free ones below the ephemeral range, so that outgoing connections cannot take them
read -r PG_PORT AMQP_PORT EPMD_PORT DIST_PORT MANILA_PORT CINDER_PORT NOVA_PORT PLACEMENT_PORT NEUTRON_PORT < <(
  node -e '
    const net = require("net");
    (async () => {
      const held = [];
      while (held.length < 9) {
        const port = 20000 + Math.floor(Math.random() * 12000);
        const server = net.createServer();
        const ok = await new Promise((res) => { server.once("error", () => res(false)); server.listen(port, "127.0.0.1", () => res(true)); });
        if (ok) held.push(server);
      }
      console.log(held.map((s) => s.address().port).join(" "));
      held.forEach((s) => s.close());
    })();')
cat >"$RUN/ports.env" <<PORTS
PG_PORT=$PG_PORT AMQP_PORT=$AMQP_PORT EPMD_PORT=$EPMD_PORT DIST_PORT=$DIST_PORT
MANILA_PORT=$MANILA_PORT CINDER_PORT=$CINDER_PORT NOVA_PORT=$NOVA_PORT PLACEMENT_PORT=$PLACEMENT_PORT NEUTRON_PORT=$NEUTRON_PORT
PORTS

# --- configs
render() { # template -> $ETC/name
  sed -e "s#@RUN@#$RUN#g" -e "s#@PROJECT@#$PROJECT#g" -e "s#@PG_PORT@#$PG_PORT#g" -e "s#@AMQP_PORT@#$AMQP_PORT#g" \
    -e "s#@MANILA_PORT@#$MANILA_PORT#g" -e "s#@CINDER_PORT@#$CINDER_PORT#g" -e "s#@NOVA_PORT@#$NOVA_PORT#g" \
    -e "s#@PLACEMENT_PORT@#$PLACEMENT_PORT#g" -e "s#@NEUTRON_PORT@#$NEUTRON_PORT#g" "$HERE/templates/$1" >"$ETC/$1"
}
for t in manila.conf cinder.conf cinder-api-paste.ini nova.conf placement.conf neutron.conf ml2_conf.ini rabbitmq.conf enabled_plugins; do
  render "$t"
done
ts "ports and configs ready"

# --- PostgreSQL: a private cluster, trust auth, loopback only, durability off (it is a test database)
if [ ! -f "$RUN/pgdata/PG_VERSION" ]; then
  mkdir -p "$RUN/pgdata"
  chown postgres: "$RUN/pgdata"
  setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/initdb" -D "$RUN/pgdata" -A trust -U postgres \
    -E UTF8 --locale=C.UTF-8 >"$LOGS/initdb.out" 2>&1 || fail "initdb" initdb.out
fi
chown postgres: "$RUN/pgsock"
setsid setpriv --reuid=postgres --regid=postgres --init-groups -- "$PGBIN/postgres" -D "$RUN/pgdata" \
  -c listen_addresses=127.0.0.1 -c port="$PG_PORT" -c unix_socket_directories="$RUN/pgsock" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 >"$LOGS/postgres.log" 2>&1 &
echo $! >"$PIDS/postgres.pid"
wait_for 60 "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || fail "postgres did not start" postgres.log
sql() { psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${2:-postgres}" -tAc "$1"; } # query [database]
[ "$(sql "SELECT 1 FROM pg_roles WHERE rolname='openstack'")" = 1 ] || sql "CREATE ROLE openstack LOGIN PASSWORD 'openstack'"
for db in manila cinder nova_api nova nova_cell0 placement neutron; do
  [ "$(sql "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ] || sql "CREATE DATABASE $db OWNER openstack"
done
ts "postgres up (127.0.0.1:$PG_PORT)"

# --- RabbitMQ: a private node (own config, data, cookie and epmd port), so that it cannot meet any other
# rabbit on this machine. Runs as root with HOME in the run dir (the Erlang cookie lives there).
(
  cd "$RUN/rabbitmq"
  exec setsid env HOME="$RUN/rabbitmq" RABBITMQ_NODENAME=realos@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$DIST_PORT" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONF_ENV_FILE=/dev/null RABBITMQ_CONFIG_FILE="$ETC/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$RUN/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$LOGS" RABBITMQ_PID_FILE="$RUN/rabbitmq/beam.pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    /usr/lib/rabbitmq/bin/rabbitmq-server >"$LOGS/rabbitmq.out" 2>&1
) &
echo $! >"$PIDS/rabbitmq.pid"
amqp_up() { (exec 3<>"/dev/tcp/127.0.0.1/$AMQP_PORT") 2>/dev/null; }

# --- database schemas and daemons: one chain per service, in parallel; each chain starts its daemons as
# soon as its schema is there and the broker answers.
daemon() { # name command...: a session of its own, so that stop.sh can signal the whole process group
  local name=$1
  shift
  setsid "$@" >"$LOGS/$name.out" 2>&1 &
  echo $! >"$PIDS/$name.pid"
}
broker() { wait_for 300 amqp_up; }
# A schema is migrated once per package version: run/state/<service>.schema remembers the version it was
# migrated with, so that a restart skips the slow sync (it only starts Python to find nothing to do).
# A fresh database (new run dir, another worktree) is restored from the schema cache instead when it holds
# a dump made right after the same package version's sync: seconds instead of the minutes of a cold sync.
declare -A DATABASES=([manila]=manila [cinder]=cinder [neutron]=neutron [placement]=placement [nova]="nova_api nova nova_cell0")
schema() { # service command...
  local service=$1 version cached db
  shift
  version=$(dpkg-query -W -f='${Version}' "python3-$service")
  [ "$(cat "$RUN/state/$service.schema" 2>/dev/null)" = "$version" ] && return 0
  cached="$SCHEMA_CACHE/$service-$version-$SCHEMA_CACHE_FORMAT"
  if [ -d "$cached" ] && restore_schema "$service" "$cached" >"$LOGS/$service-dbsync.out" 2>&1; then
    echo "restored from $cached" >>"$LOGS/$service-dbsync.out"
  else
    "$@" >"$LOGS/$service-dbsync.out" 2>&1
    cache_schema "$service" "$cached" || echo "start.sh: could not cache the $service schema (continuing)" >&2
  fi
  echo "$version" >"$RUN/state/$service.schema"
}
cache_schema() { # service dir: dumps the service's databases; the entry appears at once (rename) or not at all
  local db tmp="$2.tmp.$$"
  mkdir -p "$tmp" || return 1
  for db in ${DATABASES[$1]}; do
    pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres --no-owner --no-privileges "$db" >"$tmp/$db.sql" ||
      { rm -rf "$tmp"; return 1; }
  done
  mv -T "$tmp" "$2" 2>/dev/null || rm -rf "$tmp" # another start cached it meanwhile: keep theirs
}
restore_schema() { # service dir: recreates the service's databases from the dump
  local db
  for db in ${DATABASES[$1]}; do
    sql "DROP DATABASE IF EXISTS $db" && sql "CREATE DATABASE $db OWNER openstack" &&
      psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U openstack -d "$db" -f "$2/$db.sql" || return 1
  done
}
nova_schema() {
  local manage=(nova-manage --config-file "$ETC/nova.conf")
  "${manage[@]}" api_db sync
  # Cell mappings store URL templates that nova fills from nova.conf, so they survive a port change.
  [ "$(sql "SELECT 1 FROM cell_mappings WHERE name='cell0'" nova_api)" = 1 ] ||
    "${manage[@]}" cell_v2 map_cell0 --database_connection '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell0'
  [ "$(sql "SELECT 1 FROM cell_mappings WHERE name='cell1'" nova_api)" = 1 ] ||
    "${manage[@]}" cell_v2 create_cell --name cell1 \
      --database_connection '{scheme}://{username}:{password}@{hostname}:{port}/{path}' \
      --transport-url '{scheme}://{username}:{password}@{hostname}:{port}/'
  "${manage[@]}" db sync
}
chain_manila() {
  schema manila manila-manage --config-file "$ETC/manila.conf" db sync
  broker
  for s in api scheduler; do daemon "manila-$s" "manila-$s" --config-file "$ETC/manila.conf"; done
  # backend beta's driver (templates/python/realos_manila_drivers.py) comes from PYTHONPATH
  PYTHONPATH="$HERE/templates/python" daemon manila-share manila-share --config-file "$ETC/manila.conf"
}
chain_cinder() {
  schema cinder cinder-manage --config-file "$ETC/cinder.conf" db sync
  broker
  # cinder-api loads the service-role filter (templates/python/realos_service_roles.py) from PYTHONPATH
  PYTHONPATH="$HERE/templates/python" daemon cinder-api cinder-api --config-file "$ETC/cinder.conf"
  for s in scheduler volume; do daemon "cinder-$s" "cinder-$s" --config-file "$ETC/cinder.conf"; done
}
chain_neutron() {
  schema neutron neutron-db-manage --config-file "$ETC/neutron.conf" --config-file "$ETC/ml2_conf.ini" upgrade heads
  broker
  daemon neutron-server neutron-server --config-file "$ETC/neutron.conf" --config-file "$ETC/ml2_conf.ini"
}
chain_placement() {
  schema placement placement-manage --config-file "$ETC/placement.conf" db sync
  daemon placement-api /usr/bin/uwsgi_python3 --http-socket "127.0.0.1:$PLACEMENT_PORT" --wsgi-file /usr/bin/placement-api \
    --master --processes 1 --threads 4 --die-on-term --env OS_PLACEMENT_CONFIG_DIR="$ETC" --logto "$LOGS/placement-uwsgi.log"
}
chain_nova() {
  schema nova nova_schema
  broker
  for s in api conductor scheduler; do daemon "nova-$s" "nova-$s" --config-file "$ETC/nova.conf"; done
  daemon nova-compute /usr/bin/python3 "$HERE/templates/python/nova_compute_fake.py" --config-file "$ETC/nova.conf" \
    --log-file "$LOGS/nova-compute.log"
}
for c in manila cinder neutron placement nova; do
  # ERR traps are not inherited by these subshells: a failing step ends its chain through set -e
  (chain_$c) &
  chains[$!]=$c
done
while [ ${#chains[@]} -gt 0 ]; do
  wait -n -p done_pid "${!chains[@]}" || fail "${chains[$done_pid]}: schema or daemon start failed" "${chains[$done_pid]}-dbsync.out"
  ts "${chains[$done_pid]}: schema ready, daemons started"
  unset "chains[$done_pid]"
done
ts "all schemas ready, rabbitmq on 127.0.0.1:$AMQP_PORT"

# --- readiness. Poll what the APIs read from the database (service lists, hypervisors, resource providers):
# an RPC-backed call sent before its server has declared its queue is dropped and only fails after
# rpc_response_timeout (60 s).
H=(-H "X-Auth-Token: admin:$PROJECT")
get() { curl -sf -m 10 "${H[@]}" "$@"; }
services_up() { # count curl-args...: at least count services report state "up"
  local count=$1
  shift
  [ "$(get "$@" | grep -o '"state": "up"' | wc -l)" -ge "$count" ]
}
M=(-H "X-OpenStack-Manila-API-Version: 2.73" -H "Content-Type: application/json")
MANILA=http://127.0.0.1:$MANILA_PORT CINDER=http://127.0.0.1:$CINDER_PORT NOVA=http://127.0.0.1:$NOVA_PORT
PLACEMENT=http://127.0.0.1:$PLACEMENT_PORT NEUTRON=http://127.0.0.1:$NEUTRON_PORT
wait_for 300 services_up 3 "${M[@]}" "$MANILA/v2/$PROJECT/services" || fail "manila services not up" manila-api.log manila-scheduler.log manila-share.log
wait_for 300 services_up 2 "$CINDER/v3/$PROJECT/os-services" || fail "cinder services not up" cinder-api.log cinder-scheduler.log cinder-volume.log
ts "manila and cinder services up"
wait_for 300 services_up 3 "$NOVA/v2.1/os-services" || fail "nova services not up" nova-api.log nova-conductor.log nova-scheduler.log nova-compute.log
ts "nova services up"
has_hypervisor() { get "$NOVA/v2.1/os-hypervisors" | grep -q '"hypervisor_hostname"'; }
wait_for 300 has_hypervisor || fail "nova-compute registered no compute node" nova-compute.log
ts "nova compute node registered"
# nova-scheduler maps new compute hosts every 5 s (discover_hosts_in_cells_interval); without the mapping
# nothing can be scheduled there
host_mapped() { [ "$(sql "SELECT 1 FROM host_mappings WHERE host='ostest'" nova_api)" = 1 ]; }
wait_for 300 host_mapped || fail "nova-scheduler did not map the compute host" nova-scheduler.log
has_provider() { curl -sf -m 10 -H "X-Auth-Token: admin" -H "OpenStack-API-Version: placement 1.0" "$PLACEMENT/resource_providers" | grep -q '"uuid"'; }
wait_for 300 has_provider || fail "nova-compute registered no resource provider" nova-compute.log placement-api.log
ts "nova compute host mapped, resource provider in placement"
# neutron (Zed, SQLAlchemy 1.4): the first GET /v2.0/ports in a fresh worker fails with "type object 'Port'
# has no attribute 'port_forwardings'" until another query has configured the mappers; nova lists ports.
neutron_ports() { curl -s -m 10 "$NEUTRON/v2.0/networks" >/dev/null; curl -sf -m 10 "$NEUTRON/v2.0/ports" | grep -q '"ports"'; }
wait_for 300 neutron_ports || fail "neutron-server not answering" neutron-server.log
ts "nova, placement and neutron up"
# The one RPC-backed check: the scheduler knows the dummy backend's pool (needed to create shares). Safe now
# that the service list says manila-scheduler is up, so its queue exists.
has_pool() { get "${M[@]}" "$MANILA/v2/$PROJECT/scheduler-stats/pools" | grep -q 'ostest@alpha#'; }
wait_for 300 has_pool || fail "manila scheduler has no pool" manila-scheduler.log manila-share.log

# --- what every test needs: a DHSS=True share type on backend alpha and a flavor (both idempotent)
get "${M[@]}" "$MANILA/v2/$PROJECT/types" | grep -q '"name": "dhss_true"' ||
  get "${M[@]}" -X POST "$MANILA/v2/$PROJECT/types" \
    -d '{"share_type":{"name":"dhss_true","extra_specs":{"driver_handles_share_servers":true,"snapshot_support":true,"share_backend_name":"ALPHA"}}}' >/dev/null
get "$NOVA/v2.1/flavors/realos-tiny" >/dev/null ||
  get -H "Content-Type: application/json" -X POST "$NOVA/v2.1/flavors" \
    -d '{"flavor":{"name":"realos-tiny","ram":64,"vcpus":1,"disk":0,"id":"realos-tiny"}}' >/dev/null

cat >"$RUN/endpoints.json" <<JSON
{
  "projectId": "$PROJECT",
  "manila": "$MANILA",
  "cinder": "$CINDER",
  "nova": "$NOVA",
  "placement": "$PLACEMENT",
  "neutron": "$NEUTRON",
  "shareType": "dhss_true",
  "shareBackendHost": "ostest@alpha",
  "flavorId": "realos-tiny"
}
JSON
touch "$RUN/ready"
trap - ERR INT TERM
ts "ready: manila $MANILA_PORT, cinder $CINDER_PORT, nova $NOVA_PORT (run/endpoints.json)"

# Sourced by .ci/run after Debian's postgresql and redis-server packages are
# installed: makes sure the PostgreSQL server (127.0.0.1:5432, user postgres,
# trust authentication on loopback) and Redis (127.0.0.1:6379) that the
# tests use are up, starting them with the machine's own commands when they
# are down, and waits until they answer. The tests create and drop their own
# databases and never flush Redis (docs/testing.md).

ensure_postgres() {
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "duplex: starting PostgreSQL ${version}"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for "PostgreSQL on 127.0.0.1:5432" pg_isready -q -h 127.0.0.1 -p 5432
  fi
  if ! psql -h 127.0.0.1 -U postgres -w -Atc 'SELECT 1' >/dev/null 2>&1; then
    # The tests connect as postgres over loopback without a password (a
    # test machine); the first matching line of pg_hba.conf wins.
    local hba="/etc/postgresql/${version}/main/pg_hba.conf"
    echo "duplex: trusting loopback connections in $hba"
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    wait_for "PostgreSQL to accept user postgres" psql -h 127.0.0.1 -U postgres -w -Atc 'SELECT 1'
  fi
  echo "duplex: PostgreSQL answers on 127.0.0.1:5432"
}

ensure_redis() {
  if redis_answers; then
    echo "duplex: Redis answers on 127.0.0.1:6379"
    return
  fi
  echo "duplex: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for "Redis on 127.0.0.1:6379" redis_answers
  echo "duplex: Redis answers on 127.0.0.1:6379"
}

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

# wait_for WHAT COMMAND...: runs COMMAND every half second until it succeeds, for 30 s at most.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 1 60); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "duplex: gave up waiting for $what" >&2
  return 1
}

ensure_postgres
ensure_redis

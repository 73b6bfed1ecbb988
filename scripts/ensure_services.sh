#!/usr/bin/env bash
# Make sure the test suite's services are up: PostgreSQL and Redis on 127.0.0.1, and Debian's
# Chromium for the browser tests,
# Pango and the Noto CJK fonts for the PDFs. Starts what is installed but stopped; installs what is missing
# when apt-get is available (as root); otherwise says exactly what is missing and fails.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

apt_updated=""
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available: install $* yourself."
    if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
    else
        (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
    fi
}

redis_ready() {
    if command -v redis-cli >/dev/null 2>&1; then
        [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null
    fi
}

wait_for() {
    local what=$1 check=$2
    for _ in $(seq 1 30); do
        if $check; then return 0; fi
        sleep 1
    done
    die "$what did not come up on 127.0.0.1"
}

ensure_postgres() {
    if pg_ready; then say "PostgreSQL is up"; return; fi
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        say "PostgreSQL is not installed: installing it"
        apt_install postgresql
    fi
    say "starting PostgreSQL"
    for version in $(ls /etc/postgresql); do
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    wait_for PostgreSQL pg_ready
    # A fresh cluster authenticates TCP clients by password: give postgres the one the test URL uses.
    if command -v psql >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
    fi
}

ensure_redis() {
    if redis_ready; then say "Redis is up"; return; fi
    if ! command -v redis-server >/dev/null 2>&1; then
        say "Redis is not installed: installing it"
        apt_install redis-server
    fi
    say "starting Redis"
    $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
    wait_for Redis redis_ready
}

ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then say "Chromium is installed"; return; fi
    say "Chromium is not installed: installing Debian's chromium for the browser tests"
    apt_install chromium fonts-wqy-microhei
    [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing"
}

ensure_pdf() {
    # WeasyPrint (the PDFs) needs Pango; the PDFs' Chinese text needs a CJK font (Noto, embedded as text).
    if ldconfig -p 2>/dev/null | grep libpangoft2-1.0 >/dev/null && fc-list 2>/dev/null | grep "Noto Serif CJK SC" >/dev/null; then
        say "Pango and the Noto CJK fonts are installed"; return
    fi
    say "installing Pango and the Noto CJK fonts for the PDFs (WeasyPrint)"
    apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig
    fc-list | grep "Noto Serif CJK SC" >/dev/null || die "the Noto CJK fonts are still missing"
}

ensure_wrk() {
    if command -v wrk >/dev/null 2>&1; then say "wrk is installed"; return; fi
    say "wrk is not installed: installing it for the benchmark's load test"
    apt_install wrk
}

case "${1:-all}" in
    postgres) ensure_postgres ;;
    redis) ensure_redis ;;
    chromium) ensure_chromium ;;
    wrk) ensure_wrk ;;
    pdf) ensure_pdf ;;
    all) ensure_postgres; ensure_redis; ensure_chromium; ensure_pdf ;;
    *) die "usage: $0 [all|postgres|redis|chromium|wrk|pdf]" ;;
esac

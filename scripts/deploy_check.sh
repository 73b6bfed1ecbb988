#!/usr/bin/env bash
# `make deploy-check`: the production set-up, for real, on this machine (docs/deploy.md, "Deploy check").
#
# nginx (Debian's package, installed if missing) with a self-signed certificate on a loopback port, in
# front of gunicorn (deploy/gunicorn.conf.py) and a Celery worker, all with the production settings, on
# a database and a Redis db of their own. It runs collectstatic, logs in over HTTPS, completes a visit
# through the visit form, waits for the coverage roll-up to show in /api/v1/coverage/, checks the probes,
# the metrics and the request id in the worker's JSON log, then stops everything and drops the database.
#
# Knobs: DEPLOY_CHECK_PG (server URL, default postgres://postgres:postgres@127.0.0.1:5432),
# DEPLOY_CHECK_DATABASE (default bt_deploy_check; dropped and re-created), DEPLOY_CHECK_REDIS_URL
# (default redis://127.0.0.1:6379/14; emptied), KEEP=1 keeps the temporary folder (logs) afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
PG=${DEPLOY_CHECK_PG:-postgres://postgres:postgres@127.0.0.1:5432}
DB_NAME=${DEPLOY_CHECK_DATABASE:-bt_deploy_check}
REDIS=${DEPLOY_CHECK_REDIS_URL:-redis://127.0.0.1:6379/14}
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

started=$(date +%s)
say() { printf '[deploy-check %3ss] %s\n' "$(($(date +%s) - started))" "$*"; }
fail() { printf '[deploy-check] FAILED: %s\n' "$*" >&2; exit 1; }

# --- nginx, certificate, ports ---------------------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
    say "installing nginx (Debian package nginx-light)"
    command -v apt-get >/dev/null || fail "nginx is missing and apt-get is not available"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null
    NGINX=/usr/sbin/nginx
fi
"$ROOT/scripts/ensure_services.sh" >/dev/null

WORK=$(mktemp -d /tmp/branchtrack-deploy-check.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    status=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ]; then
        for log in gunicorn worker nginx-error; do
            [ -f "$WORK/$log.log" ] && { echo "--- $log.log (last 30 lines)"; tail -n 30 "$WORK/$log.log"; }
        done
    fi
    psql "$PG/postgres" -q -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT

read -r APP_PORT HTTP_PORT HTTPS_PORT < <("$PY" - <<'PY'
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
PY
)
BASE="https://127.0.0.1:$HTTPS_PORT"

mkdir -p "$WORK/tls" "$WORK/media" "$WORK/staging" "$WORK/prometheus" "$WORK/nginx-tmp"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$WORK/tls/privkey.pem" -out "$WORK/tls/fullchain.pem" 2>/dev/null
say "self-signed certificate made; ports: gunicorn $APP_PORT, http $HTTP_PORT, https $HTTPS_PORT"

# --- the production environment (deploy/branchtrack.env.example, filled in) ------------------------
export DJANGO_SETTINGS_MODULE=branchtrack.settings_production
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS=$BASE
export SITE_URL=$BASE
export DATABASE_URL=$PG/$DB_NAME
export REDIS_URL=$REDIS
export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media IMPORT_STAGING_DIR=$WORK/staging
export LOG_FORMAT=json
export PROMETHEUS_MULTIPROC_DIR=$WORK/prometheus
export GUNICORN_BIND=127.0.0.1:$APP_PORT GUNICORN_WORKERS=2
export LOGIN_THROTTLE_TRUST_X_FORWARDED_FOR=1
unset DEBUG CELERY_TASK_ALWAYS_EAGER

psql "$PG/postgres" -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null
"$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS"
cd "$ROOT"
"$PY" scripts/compile_messages.py >/dev/null
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
say "migrated database $DB_NAME, static files collected into $STATIC_ROOT"
"$PY" manage.py load_demo >/dev/null
read -r _ CAMPAIGN BRANCH TODAY ITEMS < <("$PY" manage.py shell -v0 < scripts/deploy_check_setup.py | grep '^DEPLOY_CHECK')
say "demo loaded; campaign $CAMPAIGN, branch $BRANCH, $(wc -w <<<"$ITEMS") checklist items"

# --- start gunicorn, a worker and nginx ----------------------------------------------------------
"$VENV/bin/gunicorn" branchtrack.wsgi -c deploy/gunicorn.conf.py >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
"$VENV/bin/celery" -A branchtrack worker --hostname="deploycheck@%h" --concurrency=1 --loglevel=INFO \
    >"$WORK/worker.log" 2>&1 &
PIDS+=($!)

# The very site file of deploy/nginx, with this check's ports and paths.
sed -e "s|server 127.0.0.1:8000;|server 127.0.0.1:$APP_PORT;|" \
    -e "/listen \[::\]/d" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
    -e "s|server_name party.example.com;|server_name 127.0.0.1 localhost;|" \
    -e "s|/etc/ssl/branchtrack/|$WORK/tls/|" \
    -e "s|/srv/branchtrack/static/|$STATIC_ROOT/|" \
    -e "s|shared:branchtrack_tls|shared:deploy_check_tls|" \
    deploy/nginx/branchtrack.conf >"$WORK/site.conf"
grep -q "127.0.0.1:$HTTPS_PORT ssl" "$WORK/site.conf" || fail "deploy/nginx/branchtrack.conf no longer has the lines this check rewrites"
NGINX_USER=""
if [ "$(id -u)" -eq 0 ]; then NGINX_USER="user root;"; fi
cat >"$WORK/nginx.conf" <<NGINX
$NGINX_USER
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    include $WORK/site.conf;
}
NGINX
"$NGINX" -t -q -c "$WORK/nginx.conf" -p "$WORK" 2>"$WORK/nginx-error.log" || fail "nginx -t: $(cat "$WORK/nginx-error.log")"
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>>"$WORK/nginx-error.log" &
PIDS+=($!)

CURL=(curl -sS --max-time 20 --cacert "$WORK/tls/fullchain.pem" -b "$WORK/cookies" -c "$WORK/cookies")
status_of() { "${CURL[@]}" -o /dev/null -w '%{http_code}' "$@"; }

for _ in $(seq 1 120); do
    [ "$(status_of "$BASE/healthz" 2>/dev/null || true)" = 200 ] && break
    sleep 0.5
done
[ "$(status_of "$BASE/healthz")" = 200 ] || fail "/healthz did not answer 200 through nginx"
say "nginx -> gunicorn answers /healthz over HTTPS"
for _ in $(seq 1 60); do
    [ "$(status_of "$BASE/readyz")" = 200 ] && break
    sleep 1
done
"${CURL[@]}" "$BASE/readyz" >"$WORK/readyz.json"
grep -q '"status": "ok"' "$WORK/readyz.json" || fail "/readyz: $(cat "$WORK/readyz.json")"
say "/readyz: database, Redis, worker heartbeat, migrations all ok"

# --- HTTP -> HTTPS, static files, /metrics closed to the outside --------------------------------
redirect=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT/accounts/login/")
[[ $redirect == "301 https://127.0.0.1/accounts/login/" ]] || fail "plain HTTP answered '$redirect'"
"${CURL[@]}" "$BASE/accounts/login/" -o "$WORK/login.html"
stylesheet=$(grep -o '/static/css/branchtrack\.[0-9a-f]\{12\}\.css' "$WORK/login.html" | head -1)
[ -n "$stylesheet" ] || fail "the login page links no hashed stylesheet"
css_headers=$("${CURL[@]}" -D - -o /dev/null "$BASE$stylesheet")
grep -q "^HTTP/[0-9.]* 200" <<<"$css_headers" || fail "static $stylesheet: $css_headers"
grep -qi "^cache-control: public, immutable" <<<"$css_headers" || fail "nginx did not serve $stylesheet itself"
[ "$(status_of "$BASE/metrics")" = 404 ] || fail "/metrics is reachable through nginx"
say "HTTP -> HTTPS 301, hashed static files from nginx, /metrics closed outside"

# --- log in over HTTPS, complete a visit --------------------------------------------------------
csrf() { awk '$6 == "csrftoken" {print $7}' "$WORK/cookies" | tail -1; }
login=$("${CURL[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' -e "$BASE/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$(csrf)" --data-urlencode "username=staff" \
    --data-urlencode "password=Demo@2020" "$BASE/accounts/login/")
[[ $login == "302 $BASE/" ]] || fail "login answered '$login'"
say "logged in over HTTPS as staff"

# Completed visits of the campaign in today's roll-up, as the API shows them to staff: the top unit's row
# (the rows come in tree order) counts every visit below it.
coverage_visits() {
    "${CURL[@]}" "$BASE/api/v1/coverage/?campaign=$CAMPAIGN&day=$TODAY" |
        "$PY" -c 'import json, sys; print(max((r["completed_visits"] for r in json.load(sys.stdin)["results"]), default=0))'
}
before=$(coverage_visits)
visit_page="$BASE/supervision/campaigns/$CAMPAIGN/visits/new/"
[ "$(status_of "$visit_page")" = 200 ] || fail "the visit form did not open"
form=(--data-urlencode "csrfmiddlewaretoken=$(csrf)" --data-urlencode "branch=$BRANCH"
    --data-urlencode "visited_on=$TODAY" --data-urlencode "visitors=部署检查" --data-urlencode "overall_comment="
    --data-urlencode "action=complete")
for item in $ITEMS; do form+=(--data-urlencode "score_$item=8" --data-urlencode "remark_$item="); done
saved=$("${CURL[@]}" -D "$WORK/visit-headers" -o "$WORK/visit-answer.html" -w '%{http_code} %{redirect_url}' \
    -e "$visit_page" "${form[@]}" "$visit_page")
[[ $saved == "302 $BASE/supervision/visits/"* ]] || fail "the visit form answered '$saved' ($(grep -o 'class="errorlist[^<]*<li>[^<]*' "$WORK/visit-answer.html" | head -3))"
request_id=$(awk 'tolower($1) == "x-request-id:" {print $2}' "$WORK/visit-headers" | tr -d '\r')
say "visit completed (${saved#302 }), request id $request_id"

for _ in $(seq 1 60); do
    now=$(coverage_visits)
    [ "$now" -gt "$before" ] && break
    sleep 1
done
[ "$now" -gt "$before" ] || fail "the roll-up did not arrive within 60 s (completed visits stayed $before)"
say "roll-up arrived in /api/v1/coverage/: completed visits went $before -> $now"
grep -q "\"request_id\": \"$request_id\"" "$WORK/worker.log" || fail "the worker did not log request id $request_id"
say "the worker logged the roll-up under the visit's request id"

metrics=$(curl -sS --max-time 10 "http://127.0.0.1:$APP_PORT/metrics")
grep -q "^branchtrack_rollup_age_seconds{campaign=\"$CAMPAIGN\"}" <<<"$metrics" || fail "/metrics has no roll-up age"
grep -q '^branchtrack_http_requests_total{.*view="supervision:visit_create"' <<<"$metrics" || fail "/metrics counted no visit form request"
say "/metrics on the loopback: requests of both workers, roll-up age, queue"
say "deploy check passed in $(($(date +%s) - started)) s"

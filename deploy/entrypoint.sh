#!/bin/sh
# The image's one entrypoint: a role (web, worker, scheduler, migrate), a probe
# (alive), or any program in the image (e.g. `marugoto staff create ...`).
set -eu

usage() {
    cat <<'USAGE'
usage: entrypoint.sh ROLE [ARGS...]
  web           gunicorn serving the webhook, console and /metrics on port 8000
  worker        an RQ worker (loads the classifier once per process)
  scheduler     periodic sweeps and purges
  migrate       apply database migrations (marugoto db upgrade)
  alive         exit 0 when the worker or scheduler heartbeat is recent (a probe)
  PROGRAM ...   run a program in the image, e.g. `marugoto cases list --json`
USAGE
}

# A worker heartbeats at least every 45 s while idle and may run one job for up
# to 180 s without one (bot/worker_process.py); older than this means hung.
WORKER_ALIVE_MAX_AGE_SECONDS=300

process_alive() {
    file="${MARUGOTO_HEARTBEAT_FILE:-}"
    if [ -z "$file" ]; then
        echo "entrypoint: MARUGOTO_HEARTBEAT_FILE is not set" >&2
        return 1
    fi
    if [ ! -f "$file" ]; then
        echo "entrypoint: no worker heartbeat at $file" >&2
        return 1
    fi
    age=$(( $(date +%s) - $(stat -c %Y "$file") ))
    if [ "$age" -gt "$WORKER_ALIVE_MAX_AGE_SECONDS" ]; then
        echo "entrypoint: worker heartbeat is ${age}s old" >&2
        return 1
    fi
}

if [ "$#" -eq 0 ]; then
    usage >&2
    exit 64
fi

role="$1"
shift
case "$role" in
    web) exec marugoto serve --host 0.0.0.0 --port 8000 "$@" ;;
    worker) exec marugoto worker "$@" ;;
    scheduler) exec marugoto scheduler "$@" ;;
    migrate) exec marugoto db upgrade "$@" ;;
    alive) process_alive ;;
    help | -h | --help) usage ;;
    *)
        if command -v "$role" >/dev/null 2>&1; then
            exec "$role" "$@"
        fi
        echo "entrypoint: unknown command '$role' (roles: web, worker, scheduler, migrate, alive; or a program in the image)" >&2
        exit 64
        ;;
esac

#!/bin/sh
# make demo: start fleetvpnd on the embedded branch-router configuration,
# ask it what an operator asks, show a reload rejected and one applied,
# then stop it.  Everything lives in a temporary directory that is removed
# at the end; the daemon is stopped by its PID whatever happens.
set -eu
BUILD=${1:-build/release}
FLEETVPND=$BUILD/fleetvpnd
FLEETVPN=$BUILD/fleetvpn
DIR=$(mktemp -d /tmp/fleetvpn-demo.XXXXXX)
CONF=$DIR/fleetvpnd.conf
PID=

cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -TERM "$PID"
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

sed -e "s|@DIR@|$DIR|g" -e "s|@HOSTNAME@|branch-01|g" \
    "$(dirname "$0")/branch.conf.in" >"$CONF"

say "Check the configuration without starting anything"
run "$FLEETVPND" -t -c "$CONF"

say "Start fleetvpnd in the foreground (its log goes to $DIR/fleetvpnd.log)"
"$FLEETVPND" -f -c "$CONF" >"$DIR/fleetvpnd.log" 2>&1 &
PID=$!
i=0
until [ -S "$DIR/ctl.sock" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$PID" 2>/dev/null; then
        cat "$DIR/fleetvpnd.log"
        echo "demo: fleetvpnd did not start" >&2
        exit 1
    fi
    sleep 0.05
done
echo "fleetvpnd running, pid $PID"
export FLEETVPN_SOCKET=$DIR/ctl.sock

say "What state is the router in?"
run "$FLEETVPN" show status

say "The configuration in force (the key is never shown)"
run "$FLEETVPN" show running-config

say "A reload with a typo on line 9 is rejected; the running configuration stays"
sed -i '9i frobnicate on' "$CONF"
run "$FLEETVPN" reload || echo "(exit status $?)"
sed -i '9d' "$CONF"

say "Troubleshooting: raise the ike level, then put it back"
run "$FLEETVPN" debug ike debug
run "$FLEETVPN" debug ike default

say "The event log, with timestamps and event codes"
run "$FLEETVPN" show logging

say "Stop with SIGTERM"
kill -TERM "$PID"
wait "$PID" && echo "fleetvpnd exited with status 0"
PID=
tail -n 2 "$DIR/fleetvpnd.log"

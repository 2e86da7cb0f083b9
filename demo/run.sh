#!/bin/sh
# make demo:      demo/run.sh BUILD_DIR
# make demo-stop: demo/run.sh --stop
#
# A branch office and a head office, each a fleetvpnd router in its own
# network namespace with a host behind it, joined by an IPsec tunnel:
#
#  fvdemo-brhost        fvdemo-br                fvdemo-hq        fvdemo-hqhost
#  eth0 ------------- lan0      wan0 ======== wan0      lan0 ------------- eth0
#  192.168.10.10   192.168.10.1  203.0.113.1  203.0.113.2  192.168.20.1  192.168.20.10
#
# There is no route between the two LANs: only the tunnel (tun0 on each
# router) connects them.  The demo checks both configurations, starts both
# daemons, waits for the tunnel, pings through it both ways and shows the
# SAs and counters from both sides, then leaves everything running.
#
# Everything it makes: the four namespaces above (fixed names, prefix
# fvdemo-) and the state directory /run/fleetvpn-demo (configurations,
# control sockets, pid files, logs, the daemons' state directories).
# --stop stops the daemons by their recorded PIDs, then deletes the
# namespaces and the directory; it is idempotent.  A new demo first removes
# what an old one left.  Root only.
set -eu

DIR=/run/fleetvpn-demo
NAMESPACES="fvdemo-br fvdemo-hq fvdemo-brhost fvdemo-hqhost"
HERE=$(cd "$(dirname "$0")" && pwd)

B='' N=''
if [ -t 1 ]; then B=$(printf '\033[1m') N=$(printf '\033[0m'); fi
say() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    [ "${1:-}" = --stop ] && target=demo-stop || target=demo
    die "needs root (it creates network namespaces): sudo make $target"
fi

# --- stopping ---------------------------------------------------------------

# gone PID: true when PID no longer runs (a zombie counts as gone).
gone() {
    [ -r "/proc/$1/stat" ] || return 0
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) ||
        return 0
    [ "$state" = Z ] || [ -z "$state" ]
}

# stop_pid WHAT PID: SIGTERM, wait up to 5 s, then SIGKILL.  By PID only.
stop_pid() {
    gone "$2" && return 0
    kill -TERM "$2" 2>/dev/null || return 0
    i=0
    while ! gone "$2" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if gone "$2"; then
        echo "stopped $1 (pid $2)"
    else
        kill -KILL "$2" 2>/dev/null || true
        i=0
        while ! gone "$2" && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
        echo "killed $1 (pid $2): SIGTERM was not enough"
    fi
    removed=$((removed + 1))
}

stop() {
    removed=0
    # The daemons the demo started, by the PIDs it recorded, and only if
    # that PID is still a fleetvpnd (not a recycled number).
    if [ -f "$DIR/pids" ]; then
        while read -r what pid; do
            case $pid in '' | *[!0-9]*) continue ;; esac
            if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = fleetvpnd ]; then
                stop_pid "fleetvpnd $what" "$pid"
            fi
        done <"$DIR/pids"
    fi
    for ns in $NAMESPACES; do
        [ -e "/run/netns/$ns" ] || continue
        # whatever else still runs in a demo namespace (a ping left running
        # in another terminal, a daemon whose PID was not recorded)
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            stop_pid "$(cat "/proc/$pid/comm" 2>/dev/null || echo process) in $ns" "$pid"
        done
        ip netns del "$ns"
        echo "removed namespace $ns"
        removed=$((removed + 1))
    done
    if [ -d "$DIR" ]; then
        rm -rf "$DIR"
        echo "removed $DIR"
        removed=$((removed + 1))
    fi
    [ $removed -gt 0 ] || echo "demo: nothing to remove"
}

if [ "${1:-}" = --stop ]; then
    stop
    exit 0
fi

# --- starting ---------------------------------------------------------------

SHOWN=${1:-build/release}      # as the user gave it, for the hints at the end
BUILD=$(cd "$SHOWN" 2>/dev/null && pwd) ||
    die "no build directory ${1:-build/release}: run make first"
for bin in fleetvpnd fleetvpn; do
    [ -x "$BUILD/$bin" ] || die "no $bin in $BUILD: run make first"
done
for tool in ip ping sysctl setsid; do
    command -v $tool >/dev/null ||
        die "$tool is missing (make deps installs what the demo needs)"
done
PATH=$BUILD:$PATH       # so the commands below read as an operator types them
export PATH

finished=0
on_exit() {
    [ $finished = 1 ] && return
    printf '\ndemo: failed; what it made is left for a look (logs in %s),\n' "$DIR" >&2
    printf 'demo: "make demo-stop" removes it.\n' >&2
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

leftovers=
for ns in $NAMESPACES; do [ -e "/run/netns/$ns" ] && leftovers=yes; done
if [ -e "$DIR" ] || [ -n "$leftovers" ]; then
    say "Remove what the previous demo left"
    stop
fi

say "Four network namespaces: two hosts, two routers, no route between the LANs"
for ns in $NAMESPACES; do ip netns add "$ns"; done
# Set before any interface exists, so that every interface inherits it:
# IPv4 only (no IPv6 link-local chatter into the tunnels, whose counters
# would show it as dropped), and the routers forward without reverse-path
# filtering.
for ns in $NAMESPACES; do
    set -- net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    case $ns in
    fvdemo-br | fvdemo-hq)
        set -- "$@" net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
            net.ipv4.conf.default.rp_filter=0 ;;
    esac
    ip netns exec "$ns" sysctl -q -w "$@"
done
# Distinct ifindexes at the two ends of each veth (both would be 2 in fresh
# namespaces): with equal numbers the kernel delays the carrier change by up
# to a second (see tests/integration/netns.py).
ip -n fvdemo-br -batch - <<EOF
link set lo up
link add wan0 index 10 mtu 1500 type veth peer name wan0 netns fvdemo-hq index 11 mtu 1500
link add lan0 index 20 type veth peer name eth0 netns fvdemo-brhost index 21
addr add 203.0.113.1/24 dev wan0
addr add 192.168.10.1/24 dev lan0
link set wan0 up
link set lan0 up
EOF
ip -n fvdemo-hq -batch - <<EOF
link set lo up
link add lan0 index 30 type veth peer name eth0 netns fvdemo-hqhost index 31
addr add 203.0.113.2/24 dev wan0
addr add 192.168.20.1/24 dev lan0
link set wan0 up
link set lan0 up
EOF
ip -n fvdemo-brhost -batch - <<EOF
link set lo up
addr add 192.168.10.10/24 dev eth0
link set eth0 up
route add default via 192.168.10.1
EOF
ip -n fvdemo-hqhost -batch - <<EOF
link set lo up
addr add 192.168.20.10/24 dev eth0
link set eth0 up
route add default via 192.168.20.1
EOF
cat <<EOF
fvdemo-brhost 192.168.10.10 --- 192.168.10.1 fvdemo-br 203.0.113.1
                                                           || wan0
fvdemo-hqhost 192.168.20.10 --- 192.168.20.1 fvdemo-hq 203.0.113.2
EOF

say "Configurations in $DIR (from demo/br.conf.in, demo/hq.conf.in), checked"
mkdir -p "$DIR"
chmod 0700 "$DIR"       # the configurations hold the (lab) pre-shared key
: >"$DIR/pids"
for side in br hq; do
    sed -e "s|@DIR@|$DIR|g" "$HERE/$side.conf.in" >"$DIR/$side.conf"
    chmod 0600 "$DIR/$side.conf"
done
cd "$DIR"
run fleetvpnd -t -c br.conf
run fleetvpnd -t -c hq.conf

say "Start fleetvpnd in each router namespace, HQ first (logs: br.log, hq.log)"
for side in hq br; do
    # -f: in the foreground of a new session (setsid), logging to a file.
    printf '$ ip netns exec fvdemo-%s fleetvpnd -f -c %s/%s.conf &\n' \
        "$side" "$DIR" "$side"
    setsid ip netns exec "fvdemo-$side" fleetvpnd -f -c "$DIR/$side.conf" \
        </dev/null >"$DIR/$side.log" 2>&1 &
    pid=$!      # setsid and ip netns exec exec: fleetvpnd's own PID
    echo "$side $pid" >>"$DIR/pids"
    # Ready (control socket answering) before the next one starts: HQ
    # listens before the branch can send it anything.
    i=0
    until fleetvpn -s "$side.sock" show version >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 100 ] || gone "$pid"; then
            tail -n 20 "$DIR/$side.log" >&2
            die "fleetvpnd did not start in fvdemo-$side"
        fi
        sleep 0.05
    done
    # its pid file has the last word (were setsid to have forked)
    own=$(cat "$side.pid" 2>/dev/null || echo "$pid")
    if [ "$own" != "$pid" ]; then
        echo "$side $own" >>"$DIR/pids"
        pid=$own
    fi
    echo "fleetvpnd $side running, pid $pid"
done

# created SOCKET: how many IPsec SAs that daemon has installed.
created() {
    fleetvpn -s "$1" --json show ipsec sa 2>/dev/null |
        sed -n 's/.*"created": *\([0-9][0-9]*\).*/\1/p' | head -n 1
}

say "Bring the tunnel up: the branch negotiates when brhost's first packet comes"
deadline=$(($(date +%s) + 10))
run ip netns exec fvdemo-brhost ping -n -c 1 -W 3 192.168.20.10 || true
until [ "$(created br.sock)" -ge 1 ] 2>/dev/null &&
    [ "$(created hq.sock)" -ge 1 ] 2>/dev/null; do
    if [ "$(date +%s)" -ge $deadline ]; then
        for side in br hq; do
            printf '\n--- the last lines of %s/%s.log\n' "$DIR" "$side" >&2
            tail -n 15 "$DIR/$side.log" >&2
        done
        die "the tunnel did not come up within 10 s"
    fi
    sleep 0.05
done
echo "(the packet waited in fleetvpnd for the IKE negotiation; the tunnel is up)"

say "Ping through the tunnel, branch host -> HQ host and back"
run ip netns exec fvdemo-brhost ping -n -c 5 -i 0.2 -W 2 192.168.20.10
run ip netns exec fvdemo-hqhost ping -n -q -c 3 -i 0.2 -W 2 192.168.10.10

say "Phase 1: the ISAKMP SA, from the branch, then from HQ"
run fleetvpn -s br.sock show ike sa
run fleetvpn -s hq.sock show ike sa

say "Phase 2: the IPsec SAs (one side's inbound SPI is the other's outbound)"
run fleetvpn -s br.sock show ipsec sa
run fleetvpn -s hq.sock show ipsec sa

say "The branch's tunnel interface: the 9 pings, out and in"
run fleetvpn -s br.sock show tunnel

say "The branch's event log, the last entries"
run fleetvpn -s br.sock show logging last 5

say "A reload with a mistake is rejected; the running configuration stays"
cp br.conf br.conf.good
sed -i '9i frobnicate on' br.conf
printf '(line 9 of br.conf now reads "frobnicate on")\n'
run fleetvpn -s br.sock reload 2>&1 || echo "(exit status $?)"
mv br.conf.good br.conf
printf '(the line removed again)\n'
run fleetvpn -s br.sock reload

finished=1
cat <<EOF

${B}==> The demo keeps running; try:${N}
  ip netns exec fvdemo-brhost ping 192.168.20.10
  $SHOWN/fleetvpn -s $DIR/br.sock show ipsec sa detail
  $SHOWN/fleetvpn -s $DIR/hq.sock show ike sa detail
  $SHOWN/fleetvpn -s $DIR/br.sock clear ipsec sa   (the next packet renegotiates)
  ip netns exec fvdemo-br tcpdump -ni wan0         (ESP only on the wire)
Everything is in $DIR (logs: br.log, hq.log).  "make demo-stop" removes it all.
EOF

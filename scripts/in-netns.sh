#!/usr/bin/env bash
# Runs a command in a network namespace of its own, with loopback and a veth pair (10.99.0.1 and
# 10.99.0.2) and no route out. Janus never gathers media candidates on loopback, so tests that carry
# media run here: the browsers and Janus meet on the veth, and nothing leaves the machine.
# Usage: scripts/in-netns.sh COMMAND [ARGS...]   (as root; otherwise in a user namespace)
set -euo pipefail
if [ "${VIRTUALTRIP_IN_NETNS:-}" != "1" ]; then
  flags=(-n)
  [ "$(id -u)" -eq 0 ] || flags=(-rn)
  exec env VIRTUALTRIP_IN_NETNS=1 unshare "${flags[@]}" "$0" "$@"
fi
ip link set lo up
ip link add vt0 type veth peer name vt1
ip addr add 10.99.0.1/24 dev vt0
ip addr add 10.99.0.2/24 dev vt1
ip link set vt0 up
ip link set vt1 up
exec "$@"

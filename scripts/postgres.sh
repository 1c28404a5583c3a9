#!/usr/bin/env bash
# A throw-away PostgreSQL server for development and tests, on 127.0.0.1 only.
#
#   scripts/postgres.sh start [--fast] [DIR]  initdb into DIR (default: a new temp dir), start the
#                                             server on a free loopback port with trust auth, create
#                                             the database "kejifu" and print its URL on stdout:
#                                             postgresql+psycopg://postgres@127.0.0.1:PORT/kejifu
#                                             --fast: fsync off (data may be lost on a power cut; tests only)
#   scripts/postgres.sh stop [DIR]            stop the server and delete DIR (default: the last one started)
#   scripts/postgres.sh url [DIR]             print the URL of a running server
#
# initdb refuses to run as root: as root the server runs as the "postgres" user (runuser).
# Messages go to stderr (bilingual); stdout carries the URL only, so  URL=$(scripts/postgres.sh start).
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }
die() { say "$*"; exit 1; }

LAST="${TMPDIR:-/tmp}/kejifu-postgres-$(id -u).last"

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
  die "找不到PostgreSQL程序（initdb、pg_ctl）；请安装postgresql / PostgreSQL binaries (initdb, pg_ctl) not found; install postgresql or set PG_BIN"
}

# Run a command as the server's owner: "postgres" when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "以root运行时需要postgres用户 / running as root needs a 'postgres' user"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

url_of() { echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$1/port")/kejifu"; }

cmd_start() {
  local fast=0 dir=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --fast) fast=1 ;;
      -*) die "未知选项 / unknown option: $1" ;;
      *) dir="$1" ;;
    esac
    shift
  done
  local bin; bin=$(pg_bin)
  if [ -z "$dir" ]; then dir=$(mktemp -d "${TMPDIR:-/tmp}/kejifu-pg.XXXXXX"); fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/data/PG_VERSION" ] && die "已有数据目录 / a cluster already exists in $dir/data"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb失败 / initdb failed"; }
  local opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200"
  [ "$fast" = 1 ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  local port tries=0
  while :; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts -p $port" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    [ $tries -ge 3 ] && { tail -n 20 "$dir/server.log" >&2 || true; die "服务器启动失败 / the server did not start"; }
  done
  echo "$port" >"$dir/port"
  as_owner "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "create database kejifu" >/dev/null
  echo "$dir" >"$LAST"
  say "PostgreSQL已启动 / started: $dir (127.0.0.1:$port); 停止 / stop: $0 stop $dir"
  url_of "$dir"
}

resolve_dir() {
  local dir="${1:-}"
  if [ -z "$dir" ]; then
    [ -f "$LAST" ] || die "没有正在运行的服务器 / no server started (give its DIR)"
    dir=$(cat "$LAST")
  fi
  [ -f "$dir/data/PG_VERSION" ] || die "不是数据目录 / no cluster in $dir"
  echo "$dir"
}

cmd_stop() {
  local dir; dir=$(resolve_dir "${1:-}")
  local bin; bin=$(pg_bin)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || say "服务器未在运行 / the server was not running"
  rm -rf "$dir"
  if [ -f "$LAST" ] && [ "$(cat "$LAST")" = "$dir" ]; then rm -f "$LAST"; fi
  say "已停止并删除 / stopped and removed: $dir"
}

cmd_url() {
  local dir; dir=$(resolve_dir "${1:-}")
  url_of "$dir"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  url) shift; cmd_url "$@" ;;
  *) echo "用法 / usage: $0 start [--fast] [DIR] | stop [DIR] | url [DIR]" >&2; exit 2 ;;
esac

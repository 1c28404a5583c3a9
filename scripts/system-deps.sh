#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (browser tests, kaleido),
# CJK fonts (Chinese in screenshots and PNG charts) and PostgreSQL (store tests
# on a real server). Installed only when missing and when we are root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "缺少系统软件包 / missing system packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
  exit 1
fi
echo "安装系统软件包 / installing system packages: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

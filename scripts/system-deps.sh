#!/usr/bin/env bash
# System packages the tests need: Debian's chromium (browser tests, kaleido),
# CJK fonts (Chinese in screenshots and PNG charts), PostgreSQL (store tests
# on a real server), LibreOffice writer+calc without GUI (PDF of the documents)
# and poppler-utils (pdftotext, pdftoppm). Installed only when missing and when we are root.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)  # no -q: pipefail + SIGPIPE
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
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

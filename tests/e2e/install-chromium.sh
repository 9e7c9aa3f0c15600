#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/e2e) when it is missing. Never fatal:
# without apt, or without the right to use it, the browser tests are skipped and `make test`
# says so in one line. A CJK font makes the saved screenshots readable.
[ -x /usr/bin/chromium ] && exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || exit 0
    sudo="sudo -n"
fi
echo "正在安装浏览器测试所需的 Chromium · installing chromium for the browser tests (apt-get install chromium chromium-driver)"
$sudo apt-get update -qq >/dev/null 2>&1 || true
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
    >/dev/null 2>&1 || echo "未能安装 Chromium，浏览器测试将跳过 · could not install chromium; the browser tests will be skipped"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei \
    >/dev/null 2>&1 || true
exit 0

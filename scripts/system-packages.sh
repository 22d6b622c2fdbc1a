#!/usr/bin/env bash
# Install the Debian packages the project uses outside Python, when they are missing:
#   book   chromium and fonts-dejavu-core: the book's PDF (Chromium prints it, DejaVu has Vietnamese glyphs)
#          and the browser tests;
#   test   the book's packages and libreoffice-calc-nogui (the report forms are checked by converting them).
# Usage: scripts/system-packages.sh book|test
# Without root or apt-get it installs nothing and says what is missing: the PDF and the tests that need these
# programs are then skipped with that reason (CI sets MEL_REQUIRE_CHROMIUM / MEL_REQUIRE_LIBREOFFICE to fail).
set -euo pipefail
want="${1:-book}"
packages=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || packages+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages+=(fonts-dejavu-core)
if [ "$want" = test ]; then
  command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-calc-nogui)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${packages[*]} (Debian packages) …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
else
  echo "Not installed: ${packages[*]}. Install them (Debian: sudo apt-get install ${packages[*]});" \
       "until then the book has no PDF and the tests that need them are skipped." >&2
fi

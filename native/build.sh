#!/usr/bin/env bash
# Cross-compiles the BITS oracle with mingw-w64: native/build.sh [OUT_DIR]   (default <repo>/target/native)
# Needs x86_64-w64-mingw32-gcc (Debian gcc-mingw-w64-x86-64; native/wine-env.sh installs it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$(dirname "$here")/target/native}
cc=${MINGW_CC:-x86_64-w64-mingw32-gcc}
command -v "$cc" >/dev/null || { echo "build.sh: $cc not found; native/wine-env.sh installs it" >&2; exit 1; }
mkdir -p "$out"
# INITGUID is defined in the source before the bits headers, so the IIDs/CLSIDs are emitted there; ole32 for
# COM, uuid for the system GUIDs (IID_IUnknown). The result imports only kernel32, msvcrt and ole32.
"$cc" -std=gnu11 -O2 -Wall -Wextra -s -o "$out/bits-oracle.exe" "$here/bits-oracle.c" -lole32 -luuid
echo "$out/bits-oracle.exe"

#!/bin/sh
# Big-endian check of the model file format: a file written on this (little-endian) host is
# read by the library built for s390x (big-endian) under qemu; its predictions must have the
# same bits and re-saving it must give the same bytes. Skips when the tools are missing
# (Debian: apt-get install gcc-s390x-linux-gnu qemu-user).
set -e
cd "$(dirname "$0")/../.."
CROSS=${CROSS:-s390x-linux-gnu-gcc}
QEMU=${QEMU:-$(command -v qemu-s390x || command -v qemu-s390x-static || true)}
if ! command -v "$CROSS" >/dev/null 2>&1 || [ -z "$QEMU" ]; then
    echo "bigendian: SKIPPED ($CROSS or qemu-s390x not installed)"
    exit 0
fi
B=build/bigendian
mkdir -p "$B"
CFLAGS="-std=c11 -O2 -Wall -Wextra -Wpedantic -ffp-contract=off -fno-math-errno -Iinclude -Ilib"
cc $CFLAGS -o "$B/tool_host" tests/bigendian/tool.c lib/*/*.c -lm -lpthread
# -fexcess-precision=fast: s390x GCC would otherwise evaluate float in double (lib/core/mathf.h)
"$CROSS" $CFLAGS -fexcess-precision=fast -static -o "$B/tool_s390x" tests/bigendian/tool.c lib/*/*.c -lm -lpthread
"$B/tool_host" write "$B/model.nn"
"$B/tool_host" read "$B/model.nn" "$B/resaved_host.nn" > "$B/pred_host.txt"
"$QEMU" "$B/tool_s390x" read "$B/model.nn" "$B/resaved_s390x.nn" > "$B/pred_s390x.txt"
cmp "$B/model.nn" "$B/resaved_host.nn"
cmp "$B/model.nn" "$B/resaved_s390x.nn"
cmp "$B/pred_host.txt" "$B/pred_s390x.txt"
# and the other direction: a file written on s390x reads back identically here
"$QEMU" "$B/tool_s390x" write "$B/model_be.nn"
"$B/tool_host" read "$B/model_be.nn" "$B/resaved_be.nn" > /dev/null
cmp "$B/model_be.nn" "$B/resaved_be.nn"
# (training itself is not compared: libm's pow/exp under s390x glibc may round differently)
echo "bigendian: OK (s390x reads the file bit-identically: same bytes on re-save, same prediction bits)"

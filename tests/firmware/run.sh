#!/bin/sh
# make firmware / make test-firmware: libnn for Cortex-M4 (hard float, newlib nano) without
# file I/O and threads, the XOR firmware (tests/firmware/xor_fw.c) and its run under
# qemu-system-arm -M mps2-an386 with semihosting. Skips with a message without the tools
# (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm).
set -e
cd "$(dirname "$0")/../.."
B=build/m4
CC=${ARM_CC:-arm-none-eabi-gcc}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "firmware: SKIPPED ($CC not installed)"
    exit 0
fi
ARCH="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard"
CFLAGS="-std=c11 -Os -g -Wall -Wextra -Wpedantic -ffp-contract=off -fno-math-errno $ARCH -ffunction-sections -fdata-sections -DNN_NO_FILEIO -DNN_NO_THREADS -Iinclude -Ilib"
mkdir -p "$B/obj"
objs=""
for f in lib/*/*.c; do
    o="$B/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ include/nn.h -nt "$o" ]; then
        "$CC" $CFLAGS --specs=nano.specs -Werror -c "$f" -o "$o"
    fi
    objs="$objs $o"
done
rm -f "$B/libnn.a"
arm-none-eabi-ar rcs "$B/libnn.a" $objs
"$CC" $CFLAGS -Itests --specs=nano.specs --specs=nosys.specs -nostartfiles -T tests/firmware/link.ld \
    -Wl,--gc-sections -o "$B/xor_fw.elf" tests/firmware/xor_fw.c "$B/libnn.a" -lm
echo "firmware: $B/libnn.a (arm-none-eabi-size, per object summed):"
arm-none-eabi-size -t "$B/libnn.a" | tail -n 1
arm-none-eabi-size "$B/xor_fw.elf"
[ "$1" = run ] || exit 0
Q=$(command -v qemu-system-arm || true)
if [ -z "$Q" ]; then
    echo "test-firmware: SKIPPED (qemu-system-arm not installed)"
    exit 0
fi
rc=0
timeout 300 "$Q" -M mps2-an386 -cpu cortex-m4 -semihosting -nographic -monitor none -serial none \
    -kernel "$B/xor_fw.elf" > "$B/xor_fw.out" 2>&1 || rc=$?
cat "$B/xor_fw.out"
if [ $rc -ne 0 ]; then echo "test-firmware: FAILED (exit status $rc)"; exit 1; fi
grep -q "weights hash: $(grep -o 'GOLDEN_XOR_HASH 0x[0-9a-f]*' tests/golden.h | sed 's/.*0x//')" "$B/xor_fw.out"
echo "test-firmware: OK (Cortex-M4 weights hash equals the x86-64 golden value)"

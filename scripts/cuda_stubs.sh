#!/usr/bin/env bash
# Makes stand-ins for the CUDA libraries that libtorch's CUDA build links against and that are not
# installed (cuBLAS, cuSPARSE, cuFFT, cuRAND, cuFile, cuDNN, NCCL, and the runtime and CUPTI when
# absent), so that the GPU build can be LOADED on a machine without them, for testing only: every
# function returns an error code (1), and none is called unless a CUDA device is found.
# Usage: scripts/cuda_stubs.sh GPU_NATIVES_JAR OUT_DIR
set -euo pipefail
jar="$1"
out="$2"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unzip -q -j -o "$jar" '*/libtorch_cuda.so' '*/libtorch_cpu.so' '*/libc10_cuda.so' '*/libjnitorch*.so' -d "$work"
# undefined symbols, with the library their version tag names (unversioned ones go by prefix)
nm -D --undefined-only "$work"/*.so | awk '{print $2}' | sort -u > "$work/undefined"
make_stub() {  # SONAME VERSIONED(0/1) PREFIX-REGEX
    local soname="$1" versioned="$2" pattern="$3"
    [ -e "$out/$soname" ] && return
    if ldconfig -p | awk -v l="$soname" '$1 == l {f=1} END {exit !f}'; then return; fi
    local syms
    if [ "$versioned" = 1 ]; then
        syms="$(grep "@$soname\$" "$work/undefined" | sed 's/@.*//' | sort -u || true)"
    else
        syms="$(grep -v @ "$work/undefined" | grep -E "$pattern" | sort -u || true)"
    fi
    {
        for s in $syms; do echo "int $s(void) { return 1; }"; done
        echo "int leno_cuda_stub_$RANDOM(void) { return 0; }"
    } > "$work/stub.c"
    if [ "$versioned" = 1 ]; then
        { echo "$soname {"; echo " global: *;"; echo "};"; } > "$work/stub.map"
        gcc -shared -fPIC -o "$out/$soname" "$work/stub.c" -Wl,-soname,"$soname" -Wl,--version-script="$work/stub.map"
    else
        gcc -shared -fPIC -o "$out/$soname" "$work/stub.c" -Wl,-soname,"$soname"
    fi
}
make_stub libcudart.so.13 1 x
make_stub libcupti.so.13 1 x
make_stub libcublas.so.13 1 x
make_stub libcublasLt.so.13 1 x
make_stub libcusparse.so.12 1 x
make_stub libcufft.so.12 1 x
make_stub libcudnn.so.9 1 x
make_stub libcurand.so.10 0 '^curand'
make_stub libcufile.so.0 0 '^cuFile'
make_stub libnccl.so.2 0 '^nccl'
ls "$out"

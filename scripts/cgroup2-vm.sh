#!/usr/bin/env bash
# Run the isolating backends' tests and the hostile corpus inside a KVM virtual machine whose only
# control-group hierarchy is the unified one (cgroup v2), as on every current distribution.
#
#   scripts/cgroup2-vm.sh                 # pytest tests/sandbox tests/attacks in the VM
#   scripts/cgroup2-vm.sh tests/sandbox/test_cgroups.py   # or the pytest arguments given
#
# The VM: Debian's qemu-system-x86 and kernel (linux-image-amd64, booted with cgroup_no_v1=all), a
# root file system from `debootstrap --variant=minbase bookworm` with bubblewrap, and an init of our
# own (no systemd) that mounts cgroup2 at /sys/fs/cgroup and nothing of v1. This checkout (with its
# .venv) and the Python installation the venv uses are shared read-only over 9p at the same paths,
# so the VM runs exactly this code with exactly these packages; only a results folder is writable.
# The disk image is built once per machine (about 3 minutes) and reused while this script's build
# recipe is unchanged: $MLJUDGE_VM_DIR (default /var/lib/mljudge-vm). Needs root. KVM when it can
# boot the kernel here, else qemu's software emulation ($MLJUDGE_VM_ACCEL=auto|kvm|tcg).
# Exits with pytest's status inside the VM; non-zero with a message on any failure of its own.
set -euo pipefail
trap 'echo "cgroup2-vm: error: \"$BASH_COMMAND\" failed (exit $?) at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
REPO="$(pwd -P)"

die() { echo "cgroup2-vm: error: $*" >&2; exit 1; }
log() { echo "cgroup2-vm: $*" >&2; }

VM_DIR="${MLJUDGE_VM_DIR:-/var/lib/mljudge-vm}"
VM_MEMORY_MB="${MLJUDGE_VM_MEMORY_MB:-6144}"
VM_TIMEOUT="${MLJUDGE_VM_TIMEOUT:-1800}"
SUITE=bookworm
PACKAGES=linux-image-amd64,bubblewrap,kmod,procps,iproute2,util-linux,e2fsprogs,ca-certificates
RECIPE_VERSION=1  # bump when the image's contents change

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, the disk image, qemu)"
[ -x .venv/bin/python ] || die "no .venv here: run 'make setup' first"
PYTHON_PREFIX="$(.venv/bin/python -c 'import sys; print(sys.base_prefix)')"

missing=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >&2 \
    || die "apt-get install ${missing[*]} failed"
fi

# ---------------------------------------------------------------------------- the disk image (cached)
KEY="$( { echo "$RECIPE_VERSION $SUITE $PACKAGES"; sed -n '/^# ---- init ----$/,/^# ---- end init ----$/p' "$0"; } \
        | sha256sum | cut -c1-16)"
IMAGE_DIR="$VM_DIR/$KEY"
if [ ! -s "$IMAGE_DIR/disk.img" ]; then
  MIRROR="${DEBIAN_MIRROR:-$(scripts/debian-mirror.sh)}" || die "cannot read apt's sources for a Debian mirror"
  WORK="$(mktemp -d /var/tmp/mljudge-vm.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
  log "debootstrapping the VM's root file system from $MIRROR (a few minutes)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  sed -n '/^# ---- init ----$/,/^# ---- end init ----$/p' "$0" | sed '1d;$d' >"$WORK/rootfs/sbin/mljudge-init"
  chmod 755 "$WORK/rootfs/sbin/mljudge-init"
  kernel="$(ls "$WORK"/rootfs/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1)"
  initrd="$(ls "$WORK"/rootfs/boot/initrd.img-* 2>/dev/null | sort -V | tail -n1)"
  [ -n "$kernel" ] && [ -n "$initrd" ] || die "the root file system has no kernel or initrd in /boot"
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  mkdir -p "$WORK/image"
  cp "$kernel" "$WORK/image/vmlinuz"
  cp "$initrd" "$WORK/image/initrd.img"
  mkfs.ext4 -q -F -L mljudge-vm -d "$WORK/rootfs" "$WORK/image/disk.img" 3G || die "mkfs.ext4 of the disk image failed"
  mkdir -p "$VM_DIR"
  rm -rf "$IMAGE_DIR"
  mv "$WORK/image" "$IMAGE_DIR"
  rm -rf "$WORK"
  trap - EXIT
  log "built the VM image in $IMAGE_DIR"
fi

# ---------------------------------------------------------------------------- the accelerator
# KVM where it boots this kernel; some hosts expose a /dev/kvm that cannot (a paravirtual PVM
# hypervisor, on which an unmodified kernel hangs while it decompresses): software emulation there.
kvm_boots() {
  local console
  console="$(mktemp /var/tmp/mljudge-vm-probe.XXXXXX)"
  timeout 30 qemu-system-x86_64 -enable-kvm -cpu host,-arch-capabilities -smp 1 -m 512 -nodefaults \
    -no-user-config -display none -no-reboot -serial "file:$console" -kernel "$IMAGE_DIR/vmlinuz" \
    -initrd "$IMAGE_DIR/initrd.img" -append "console=ttyS0 panic=-1 init=/bin/true" >/dev/null 2>&1 || true
  grep -q "Linux version" "$console"; local found=$?
  rm -f "$console"
  return "$found"
}
ACCEL="${MLJUDGE_VM_ACCEL:-auto}"
if [ "$ACCEL" = auto ]; then
  if [ -e /dev/kvm ] && kvm_boots; then ACCEL=kvm; else ACCEL=tcg; fi
fi
# Under software emulation the VM gets one CPU: with two, multi-threaded TCG livelocked both of
# them in the kernel's live code patching (a static key flipped as pytest enabled the memory
# controller: "soft lockup - CPU#0 stuck for 1632s" in __kmem_cache_alloc_node, seen in CI).
case "$ACCEL" in
  kvm) ACCEL_ARGS=(-enable-kvm -cpu host,-arch-capabilities); VM_CPUS="$(nproc)" ;;
  tcg) ACCEL_ARGS=(-accel tcg -cpu max); VM_CPUS=1; log "KVM cannot boot the VM's kernel here: software emulation (slower, one CPU)" ;;
  *) die "MLJUDGE_VM_ACCEL must be auto, kvm or tcg" ;;
esac

# ---------------------------------------------------------------------------- the run
RESULTS="$(mktemp -d /var/tmp/mljudge-vm-results.XXXXXX)"
# pytest's arguments (default: the isolating backends' tests and the hostile corpus; the test that
# insists on every backend being present, docker included, does not apply in the VM)
[ "$#" -gt 0 ] || set -- tests/sandbox tests/attacks --ignore=tests/sandbox/test_backends_present_in_ci.py
printf '%s\0' "$@" >"$RESULTS/pytest-args"
CONSOLE="$RESULTS/console.log"
log "booting the VM (cgroup v2 only; ${VM_MEMORY_MB} MiB; console: $CONSOLE)"
status=0
timeout "$VM_TIMEOUT" qemu-system-x86_64 "${ACCEL_ARGS[@]}" -smp "$VM_CPUS" -m "$VM_MEMORY_MB" \
  -nodefaults -no-user-config -display none -no-reboot -serial "file:$CONSOLE" \
  -kernel "$IMAGE_DIR/vmlinuz" -initrd "$IMAGE_DIR/initrd.img" \
  -append "root=/dev/vda rw console=ttyS0 panic=-1 cgroup_no_v1=all init=/sbin/mljudge-init mljudge_repo=$REPO mljudge_python=$PYTHON_PREFIX" \
  -drive "file=$IMAGE_DIR/disk.img,if=virtio,format=raw,snapshot=on" \
  -virtfs "local,path=$REPO,mount_tag=repo,security_model=none,readonly=on" \
  -virtfs "local,path=$PYTHON_PREFIX,mount_tag=python,security_model=none,readonly=on" \
  -virtfs "local,path=$RESULTS,mount_tag=results,security_model=none" || status=$?
[ "$status" = 0 ] || { tail -n 40 "$CONSOLE" >&2 || true; die "qemu stopped with status $status (124: timed out after ${VM_TIMEOUT} s)"; }
grep -a -v -E '^\[ *[0-9]+\.[0-9]+\]|^(Begin|Loading|Starting|Warning: fsck|done\.)' "$CONSOLE" | tail -n 80 >&2 || true
[ -s "$RESULTS/rc" ] || { tail -n 40 "$CONSOLE" >&2; die "the VM stopped without a test result"; }
rc="$(cat "$RESULTS/rc")"
log "pytest in the VM exited with $rc"
rm -rf "$RESULTS"
exit "$rc"

# ---- init ----
#!/bin/bash
# PID 1 of the test VM: the unified cgroup hierarchy only, the shared checkout, pytest, power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ip link set lo up
hostname mljudge-vm
for module in 9p 9pnet_virtio; do modprobe "$module"; done
mkdir -p "$mljudge_repo" "$mljudge_python" /results
mount -t 9p -o trans=virtio,version=9p2000.L,ro repo "$mljudge_repo"
mount -t 9p -o trans=virtio,version=9p2000.L,ro python "$mljudge_python"
mount -t 9p -o trans=virtio,version=9p2000.L results /results
echo "cgroup2-vm: cgroup hierarchies: $(grep cgroup /proc/mounts | cut -d' ' -f1,3 | tr '\n' ' ')"
cd "$mljudge_repo"
set --
while IFS= read -r -d '' arg 2>/dev/null; do set -- "$@" "$arg"; done </results/pytest-args
HOME=/tmp PYTHONDONTWRITEBYTECODE=1 "$mljudge_repo/.venv/bin/pytest" -q -p no:cacheprovider "$@"
echo "$?" >/results/rc
sync
echo "cgroup2-vm: done"
echo o >/proc/sysrq-trigger
sleep 30
# ---- end init ----

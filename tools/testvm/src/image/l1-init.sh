#!/bin/sh
# The /init of the test VM (L1): a Debian kernel under QEMU TCG with `-cpu max`. It loads KVM
# (irqbypass, kvm, ccp, kvm-amd, listed in /etc/testvm/modules with 9p and virtio_pci), mounts the
# run's folder (9p tag testvm-job) at /job and the caller's folders, runs /job/command.sh with its
# output on the serial console between marker lines, and powers off. src/run/console.ts parses the
# markers; every marker line is "TESTVM-L1[<nonce>]: ...", the nonce coming from testvm.nonce=.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
read -r UPTIME _ < /proc/uptime
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm

NONCE=none KERNEL_LOG=0
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    testvm.nonce=*) NONCE=${arg#*=} ;;
    testvm.kernel_log=*) KERNEL_LOG=${arg#*=} ;;
  esac
done
say() { echo "TESTVM-L1[$NONCE]: $*"; }
die() { say "error $*"; sync; poweroff -f; reboot -f; }
say "init uptime=$UPTIME"

while read -r ko; do
  [ -n "$ko" ] || continue
  insmod "$ko" 2>/tmp/insmod.err || die "insmod $ko: $(cat /tmp/insmod.err)"
done </etc/testvm/modules
read -r UPTIME _ < /proc/uptime
if [ -c /dev/kvm ]; then say "kvm=ok uptime=$UPTIME"; else say "kvm=missing uptime=$UPTIME"; fi

OPTS=trans=virtio,version=9p2000.L,msize=262144
mkdir -p /job
mount -t 9p -o "$OPTS" testvm-job /job || die "mount testvm-job at /job"
if [ -f /job/mounts ]; then
  while read -r tag mode path; do
    [ -n "$tag" ] || continue
    mkdir -p "$path" && mount -t 9p -o "$OPTS,$mode" "$tag" "$path" || die "mount $tag at $path"
  done </job/mounts
fi
if [ -d /job/files ]; then cp -a /job/files/. / || die "copy /job/files"; fi

[ "$KERNEL_LOG" = 1 ] || echo 1 >/proc/sys/kernel/printk
read -r T0 _ < /proc/uptime
say "begin uptime=$T0"
sh /job/command.sh </dev/null
RC=$?
read -r T1 _ < /proc/uptime
say "end exit=$RC uptime=$T1"
sync
poweroff -f
reboot -f

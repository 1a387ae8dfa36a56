#!/bin/sh
# The /init of testvm's guest initramfs: the Linux userspace the VMM under test boots (L2).
# It checks what a VMM must get right for a guest to run, prints one line per check and a result
# line, then asks for a reset, which with reboot=k is a write of 0xFE to i8042 port 0x64.
# The contract (command-line parameters, output lines, how it stops) is in tools/testvm/README.md;
# src/guest/contract.ts builds the command line and parses the output. Keep the three in step.
#
# Test hooks: test/guest-init.test.ts runs this script on the host with busybox sh, with
# TESTVM_ROOT=<folder> (read proc/cmdline, proc/uptime, sys/... from there) and TESTVM_DRYRUN=1
# (no mounts, no reset). A booted guest has neither.
R=${TESTVM_ROOT:-}
if [ "${TESTVM_DRYRUN:-0}" != 1 ]; then
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  export PATH=/bin HOME=/root
fi
read -r UPTIME _ < "$R/proc/uptime"

say() { echo "TESTVM-INIT: $*"; }
say "uptime=$UPTIME"

CPUS= NOW= TOLERANCE=300 MODE=check MODULES= FAILED=
for arg in $(cat "$R/proc/cmdline"); do
  case "$arg" in
    testvm.cpus=*) CPUS=${arg#*=} ;;
    testvm.now=*) NOW=${arg#*=} ;;
    testvm.tolerance=*) TOLERANCE=${arg#*=} ;;
    testvm.mode=*) MODE=${arg#*=} ;;
    testvm.modules=*) MODULES=${arg#*=} ;;
  esac
done
fail() { case " $FAILED " in *" $1 "*) ;; *) FAILED="${FAILED:+$FAILED }$1" ;; esac; }
number() { case "$1" in '' | *[!0-9]*) return 1 ;; esac; }

# A parameter that is not a number: "param testvm.<name>=<value> FAIL", and the check is skipped.
[ -z "$CPUS" ] || number "$CPUS" || { say "param testvm.cpus=$CPUS FAIL"; fail params; CPUS=; }
[ -z "$NOW" ] || number "$NOW" || { say "param testvm.now=$NOW FAIL"; fail params; NOW=; }
number "$TOLERANCE" || { say "param testvm.tolerance=$TOLERANCE FAIL"; fail params; TOLERANCE=300; }

# Modules named by testvm.modules=a,b (with their dependencies, from modules.dep).
for m in $(echo "$MODULES" | tr ',' ' '); do
  if modprobe "$m" 2>/tmp/modprobe.err; then say "module $m ok"; else say "module $m FAIL $(head -n 1 /tmp/modprobe.err)"; fail modules; fi
done

# CPUs: every vCPU the VMM created must be online (the count of /sys/devices/system/cpu/online).
LIST=$(cat "$R/sys/devices/system/cpu/online" 2>/dev/null)
ONLINE=0
for range in $(echo "$LIST" | tr ',' ' '); do
  case "$range" in
    *-*) ONLINE=$((ONLINE + ${range#*-} - ${range%-*} + 1)) ;;
    *) ONLINE=$((ONLINE + 1)) ;;
  esac
done
if [ -z "$CPUS" ]; then
  say "cpus online=$ONLINE list=${LIST:-none} expected=any ok"
elif [ "$ONLINE" -eq "$CPUS" ]; then
  say "cpus online=$ONLINE list=${LIST:-none} expected=$CPUS ok"
else
  say "cpus online=$ONLINE list=${LIST:-none} expected=$CPUS FAIL"; fail cpus
fi

# Clock: the kernel set the time from the RTC (CMOS) at boot; it must be near the host's time.
# testvm.now is the host's time at launch, so the guest's time now should be about now + uptime.
GUEST=$(date +%s)
read -r UP _ < "$R/proc/uptime"
UP=${UP%.*}
YEAR=$(date -u +%Y)
RTC=none
[ -r "$R/sys/class/rtc/rtc0/since_epoch" ] && RTC=$(cat "$R/sys/class/rtc/rtc0/since_epoch")
CLOCK=ok
if [ "$YEAR" -lt 2024 ] || [ "$YEAR" -gt 2099 ]; then CLOCK=FAIL; fi
if [ -n "$NOW" ]; then
  DELTA=$((GUEST - NOW - UP))
  ABS=${DELTA#-}
  [ "$ABS" -le "$TOLERANCE" ] || CLOCK=FAIL
else
  NOW=none DELTA=none
fi
say "clock guest=$GUEST host=$NOW uptime=$UP delta=$DELTA tolerance=$TOLERANCE year=$YEAR rtc=$RTC $CLOCK"
[ "$CLOCK" = ok ] || fail clock

if [ -z "$FAILED" ]; then say "PASS"; else say "FAIL $FAILED"; fi

[ "${TESTVM_DRYRUN:-0}" = 1 ] && exit 0
if [ "$MODE" = shell ]; then
  say "shell"
  setsid cttyhack sh
fi
say "reboot"
sync
reboot -f
# Not reached when reboot works; without it the kernel would panic when /init ends.
poweroff -f
while :; do sleep 3600; done

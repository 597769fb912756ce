#!/bin/sh
# /init of the QEMU guest that UsbipQemuTest boots (.ci/qemu-guest.sh packs it): attaches a devemu USB/IP export
# with the stock usbip tool and reports what the guest kernel made of it on the serial console, one
# "DEVEMU key=value" line per fact, for the test to parse. Parameters come on the kernel command line:
# devemu.port (the export's TCP port on the host's loopback, 10.0.2.2 here; the host's "go PORT" line overrides
# it), devemu.busid, devemu.wait (seconds to wait for the fault plan's unplug after the checks; 0 = do not wait).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /var/run /tmp

# each fact with the guest's uptime, so a slow step shows in the console log
say() { echo "DEVEMU $*"; echo "DEVEMU-T $(cut -d' ' -f1 /proc/uptime) $*" >> /tmp/timeline; }
finish() {
  sed 's/^DEVEMU-T /DEVEMU timeline: /' /tmp/timeline | cut -c1-160
  # what vhci-hcd logs about answers it cannot use (vhci_rx.c, usbip_common.c): none expected
  say "vhci-complaints=$(dmesg | grep -cE 'cannot find a urb|recv xbuf|unknown pdu|recv iso|invalid seqnum')"
  say "dmesg-begin"
  dmesg | grep -iE 'usb|vhci|usbip|ttyUSB' | tail -40 | sed 's/^/DEVEMU dmesg: /'
  say "done"
  sync
  poweroff -f
}

PORT=3240; BUSID=1-1; WAIT=0; LOOPBACK=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    devemu.port=*) PORT=${arg#*=} ;;
    devemu.busid=*) BUSID=${arg#*=} ;;
    devemu.wait=*) WAIT=${arg#*=} ;;
    devemu.loopback=*) LOOPBACK=${arg#*=} ;;
  esac
done

for m in $(cat /lib/modules/order); do
  [ "$m" = usbserial ] && continue # loaded below, told the device's IDs
  insmod /lib/modules/$m.ko || say "error=insmod $m failed"
done
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2 \
  || say "error=no network"
say "kernel=$(uname -r)"
say "booted"

# The host starts its export when it reads "booted" and then types "go PORT" on the console (a connect to a port
# nobody listens on yet can hang in QEMU's user network); by hand, just press Enter (devemu.port is used).
if read -t 300 go port; then
  [ -n "$port" ] && PORT=$port
else
  say "note=no go from the host; attaching anyway"
fi
say "port=$PORT"
attached=0
for i in $(seq 1 100); do
  # an attempt that hangs is cut short and made again
  if timeout 5 usbip --tcp-port "$PORT" attach -r 10.0.2.2 -b "$BUSID" > /tmp/attach.log 2>&1; then attached=1; break; fi
  sleep 0.3
done
say "attach-tries=$i"
if [ "$attached" != 1 ]; then
  say "error=usbip attach failed: $(tr '\n' ' ' < /tmp/attach.log)"
  finish
fi
say "attached"

# the vhci root hubs' child: the attached device (a device directory has no ':' in its name)
dev=""
for i in $(seq 1 100); do
  for d in /sys/bus/usb/devices/*-*; do
    case "$d" in *:*) continue ;; esac
    [ -f "$d/idVendor" ] && [ -f "$d/bConfigurationValue" ] && [ -n "$(cat "$d/bConfigurationValue")" ] && dev=$d
  done
  [ -n "$dev" ] && break
  sleep 0.1
done
if [ -z "$dev" ]; then
  say "error=no USB device enumerated after attach"
  finish
fi
name=$(basename "$dev")
say "device=$name"
for f in idVendor idProduct bcdDevice speed bConfigurationValue bNumConfigurations bNumInterfaces bDeviceClass \
         bDeviceSubClass bDeviceProtocol bMaxPacketSize0 version busnum devnum; do
  say "$f=$(cat "$dev/$f" | tr -d ' ')"
done
for intf in "$dev"/$name:*; do
  [ -d "$intf" ] || continue
  n=$(cat "$intf/bInterfaceNumber")
  say "interface.$n=$(cat "$intf/bInterfaceClass")/$(cat "$intf/bInterfaceSubClass")/$(cat "$intf/bInterfaceProtocol") endpoints=$(cat "$intf/bNumEndpoints")"
  for ep in "$intf"/ep_*; do
    [ -d "$ep" ] || continue
    say "endpoint.$n.$(cat "$ep/bEndpointAddress")=$(cat "$ep/type") $(cat "$ep/direction") maxp=$(cat "$ep/wMaxPacketSize")"
  done
done

# Bulk traffic through a driver of the stock kernel: usbserial's generic driver binds to any IDs it is given and
# turns ttyUSB0 reads into bulk IN URBs and writes into bulk OUT URBs. usbmon records every URB on the bus.
bus=$(cat "$dev/busnum")
cat /sys/kernel/debug/usb/usbmon/${bus}u > /tmp/usbmon &
mon=$!
vid=$(cat "$dev/idVendor"); pid=$(cat "$dev/idProduct")
insmod /lib/modules/usbserial.ko vendor=0x$vid product=0x$pid || say "error=insmod usbserial failed"
for i in $(seq 1 50); do [ -c /dev/ttyUSB0 ] && break; sleep 0.1; done
if [ ! -c /dev/ttyUSB0 ]; then
  say "error=usbserial did not bind: no /dev/ttyUSB0"
else
  say "driver=$(basename "$(readlink "$dev/$name:1.0/driver")")"
  stty -F /dev/ttyUSB0 raw -echo
  timeout 30 head -c 65536 /dev/ttyUSB0 > /tmp/in
  say "tty-read-bytes=$(wc -c < /tmp/in)"
  # the bytes themselves: the test finds them in the device model's IN stream (a block boundary is in the
  # first 4104 bytes, so the head tells the position; the md5 covers the rest)
  say "tty-read-md5=$(md5sum /tmp/in | cut -d' ' -f1)"
  say "tty-read-head=$(xxd -p -l 4104 /tmp/in | tr -d '\n')"
  token="devemu-qemu-bulk-out-$(cat /proc/sys/kernel/random/uuid)"
  printf '%s' "$token" > /dev/ttyUSB0
  say "tty-wrote=$token"
fi
sleep 0.5
kill $mon 2>/dev/null
# usbmon text: "TAG TIME C Bi:BUS:DEV:EP STATUS LENGTH ..." for each completion
awk '$3 == "C" && $4 ~ /^Bi:/ { n++; if ($5 == 0) { ok++; bytes += $6 } } END { printf "DEVEMU usbmon.bulk-in=%d ok=%d bytes=%d\n", n, ok, bytes }' /tmp/usbmon
awk '$3 == "C" && $4 ~ /^Bo:/ { n++; if ($5 == 0) { ok++; bytes += $6 } } END { printf "DEVEMU usbmon.bulk-out=%d ok=%d bytes=%d\n", n, ok, bytes }' /tmp/usbmon

[ -e "/sys/bus/usb/devices/$name" ] && say "present-after-checks=yes" || say "present-after-checks=no"

# A second export in loopback mode (devemu.loopback=BUSID): bytes written to its ttyUSB come back on its bulk IN.
if [ -n "$LOOPBACK" ]; then
  before=$(ls /sys/bus/usb/devices/ | tr '\n' ' ')
  if timeout 10 usbip --tcp-port "$PORT" attach -r 10.0.2.2 -b "$LOOPBACK" > /tmp/attach2.log 2>&1; then
    loopdev=""
    for i in $(seq 1 100); do
      for d in /sys/bus/usb/devices/*-*; do
        case "$d" in *:*) continue ;; esac
        case " $before " in *" $(basename "$d") "*) continue ;; esac
        [ -f "$d/bConfigurationValue" ] && [ -n "$(cat "$d/bConfigurationValue")" ] && loopdev=$d
      done
      [ -n "$loopdev" ] && tty=$(ls "$loopdev/$(basename "$loopdev"):1.0/" 2>/dev/null | grep '^ttyUSB' | head -1)
      [ -n "$loopdev" ] && [ -n "$tty" ] && [ -c "/dev/$tty" ] && break
      sleep 0.1
    done
    if [ -z "$tty" ]; then
      say "loopback=no ttyUSB for $LOOPBACK"
    else
      stty -F "/dev/$tty" raw -echo
      token="devemu-loopback-$(cat /proc/sys/kernel/random/uuid)"
      # the reader holds the port open (and its bulk IN URBs in flight) before the bytes go out
      (timeout 20 head -c ${#token} "/dev/$tty" > /tmp/loop) &
      reader=$!
      sleep 0.5
      printf '%s' "$token" > "/dev/$tty"
      wait $reader
      if [ "$(cat /tmp/loop)" = "$token" ]; then say "loopback=ok $tty ${#token} bytes"; else say "loopback=got '$(cat /tmp/loop)' for '$token'"; fi
    fi
  else
    say "loopback=attach failed: $(tr '\n' ' ' < /tmp/attach2.log)"
  fi
fi

if [ "$WAIT" -gt 0 ]; then
  # keep bulk IN URBs in flight (the fault plan unplugs with-urbs-in-flight) and wait for the disconnect
  cat /dev/ttyUSB0 > /dev/null 2>&1 &
  say "waiting-for-unplug"
  for i in $(seq 1 $((WAIT * 10))); do
    dmesg | grep -q "USB disconnect" && break
    sleep 0.1
  done
  line=$(dmesg | grep "USB disconnect" | tail -1)
  if [ -n "$line" ]; then say "disconnect=$line"; else say "disconnect=none"; fi
  [ -e "/sys/bus/usb/devices/$name" ] && say "device-gone=no" || say "device-gone=yes"
fi
finish

#!/bin/sh
# Builds a minimal busybox root filesystem in DIR from Debian's busybox-static: the binary, a
# link for every applet, /etc/passwd and /etc/group, and the FHS directories tests mount on
# (/mnt among them, because an unprivileged user cannot create a mount point in this root-owned
# tree). Prints DIR. Rebuilds only when missing, older than busybox or without /mnt.
set -eu

dir=${1:?usage: $0 DIR}
busybox=/bin/busybox
if [ ! -x "$busybox" ]; then
    echo "make-busybox-rootfs: $busybox not found; install busybox-static" >&2
    exit 1
fi
if [ -x "$dir/bin/busybox" ] && [ "$dir/bin/busybox" -nt "$busybox" ] && [ -d "$dir/mnt" ]; then
    echo "$dir"
    exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/usr/bin" "$tmp/usr/sbin" "$tmp/etc" "$tmp/proc" \
    "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/root" "$tmp/home" "$tmp/var" "$tmp/run" "$tmp/mnt"
chmod 1777 "$tmp/tmp"
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list-full); do
    case "$applet" in
        bin/busybox) ;;
        *) ln -sf /bin/busybox "$tmp/$applet" ;;
    esac
done
cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
nogroup:x:65534:
GROUP
echo "ocirun-test" >"$tmp/etc/hostname"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "$dir"

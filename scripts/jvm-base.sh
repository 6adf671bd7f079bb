#!/usr/bin/env bash
# scripts/jvm-base.sh - make the local JVM base image IMAGE (a Debian bookworm with a Java 17 runtime and user 185)
# unless it exists. Called by scripts/image.sh (make image) when the Dockerfiles' default base cannot be pulled.
#
#   scripts/jvm-base.sh IMAGE
#
# Why: the JVM Dockerfiles start from Red Hat's ubi9/openjdk-17-runtime, and a machine that reaches no registry
# cannot pull it. Debian's own packages can still come from the apt mirror this machine uses, so mmdebstrap builds a
# minimal root filesystem from them (about 350 MB, a minute or two) and it is imported as IMAGE. It offers what the
# Dockerfiles need of a base: java on the PATH, /bin/sh, and user 185 (jboss, group 0, home /home/jboss, as in
# Red Hat's image). mmdebstrap is installed with apt when missing (as root or with password-less sudo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if (($# != 1)); then
    echo "usage: scripts/jvm-base.sh IMAGE" >&2
    exit 2
fi
IMAGE=$1
SUITE=bookworm

if scripts/container.sh image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "jvm-base: $IMAGE exists"
    exit 0
fi

# mmdebstrap needs root (or user namespaces) and a Debian-style apt.
if ! command -v mmdebstrap >/dev/null; then
    root=()
    if ((EUID != 0)); then root=(sudo -n); fi
    echo "jvm-base: installing mmdebstrap with apt-get ..."
    "${root[@]}" apt-get update -q >/dev/null
    "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null
fi

# The host's apt sources that serve this suite (deb822 .sources or one-line .list files; not the disabled ones, not
# third-party ones): the mirror that works here. None: mmdebstrap's default, deb.debian.org.
sources=()
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [[ -f $file ]] && grep -Eq "^[^#]*[[:space:]]$SUITE(-[a-z]+)?([[:space:]]|$)" "$file"; then
        sources+=("$file")
    fi
done
# And the host's apt settings for reaching it: a proxy, and whether a snapshot mirror's expired Release dates are
# accepted (the signatures are still checked).
aptopts=()
while IFS= read -r line; do
    aptopts+=(--aptopt="$line")
done < <(apt-config dump 2>/dev/null | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' || true)

work=$(mktemp -d "${TMPDIR:-/var/tmp}/jvm-base.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

echo "jvm-base: building $IMAGE from Debian $SUITE (${sources[*]:-deb.debian.org}) ..."
started=$SECONDS
# No documentation or translations in the image. The man pages stay: Java's postinst links them (update-alternatives).
# The hook's "$1" is the new root, expanded by mmdebstrap's shell.
# shellcheck disable=SC2016
mmdebstrap --variant=minbase --include=openjdk-17-jre-headless \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    "${aptopts[@]}" \
    --customize-hook='chroot "$1" useradd --uid 185 --gid 0 --home-dir /home/jboss --create-home --shell /usr/sbin/nologin jboss' \
    "$SUITE" "$work/rootfs.tar" "${sources[@]}" 2>"$work/mmdebstrap.log" \
    || {
        tail -n 30 "$work/mmdebstrap.log" >&2
        echo "jvm-base: mmdebstrap failed (above: the end of its log)" >&2
        exit 1
    }
# An imported root filesystem has no configuration: give it what a base image has.
scripts/container.sh import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'WORKDIR /home/jboss' \
    --change 'USER 185' \
    "$work/rootfs.tar" "$IMAGE" >"$work/import.log" 2>&1 \
    || {
        cat "$work/import.log" >&2
        echo "jvm-base: importing the root filesystem as $IMAGE failed" >&2
        exit 1
    }
echo "jvm-base: built $IMAGE in $((SECONDS - started)) s"

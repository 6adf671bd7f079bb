#!/usr/bin/env bash
# scripts/container.sh - run one docker/podman command with the container engine this machine has. Called by
# scripts/image.sh, scripts/jvm-base.sh and scripts/image-test.sh (make image, make image-test).
#
#   scripts/container.sh engine            print the engine: docker or podman
#   scripts/container.sh COMMAND ARGS...   e.g. build ..., run ..., logs NAME, rm -f NAME
#
# The engine is docker when a Docker engine answers (`docker info`; a docker client alone is not enough), else
# podman. CONTAINER_ENGINE=docker|podman picks one. Everything else runs the command as given, with two additions
# that only podman gets, because rootful podman on the build machine needs them and nobody else does: the runc
# runtime with cgroupfs (its default crun and systemd cgroups do not work there) before the command, and explicit
# open-file and process limits on `run` (it cannot apply the defaults there). PODMAN_FLAGS and PODMAN_RUN_FLAGS
# replace them (set them empty to drop them).
set -euo pipefail

PODMAN_FLAGS=${PODMAN_FLAGS-"--runtime /usr/sbin/runc --cgroup-manager=cgroupfs"}
PODMAN_RUN_FLAGS=${PODMAN_RUN_FLAGS-"--ulimit nofile=4096:4096 --ulimit nproc=4096:4096"}

engine() {
    if [[ -n ${CONTAINER_ENGINE:-} ]]; then
        printf '%s\n' "$CONTAINER_ENGINE"
    elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        echo docker
    elif command -v podman >/dev/null; then
        echo podman
    else
        echo "container.sh: neither a Docker engine (docker info fails) nor podman; make image installs podman" >&2
        return 1
    fi
}

if (($# == 0)); then
    echo "usage: scripts/container.sh engine | COMMAND ARGS..." >&2
    exit 2
fi
ENGINE=$(engine)
if [[ $1 == engine ]]; then
    printf '%s\n' "$ENGINE"
    exit 0
fi

if [[ $ENGINE == podman ]]; then
    read -r -a global <<<"$PODMAN_FLAGS"
    read -r -a run <<<"$PODMAN_RUN_FLAGS"
    command=$1
    shift
    if [[ $command == run ]]; then set -- "${run[@]}" "$@"; fi
    exec podman "${global[@]}" "$command" "$@"
fi
exec "$ENGINE" "$@"

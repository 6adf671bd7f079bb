#!/usr/bin/env bash
# scripts/image.sh - build the JVM images of both services, resilient-tasks/api-service:VERSION and
# resilient-tasks/write-worker:VERSION (VERSION: the project's, from pom.xml), from the fast-jars `make build` left
# in <module>/target/quarkus-app/. Called by `make image` (after make build).
#
# Engine: a Docker engine if one answers, else podman (scripts/container.sh), installed with apt when neither is
# there (as root or with password-less sudo, as scripts/deps.sh installs).
#
# Base image: BASE_IMAGE if set; else the Dockerfiles' default (ARG BASE_IMAGE, Red Hat's ubi9/openjdk-17-runtime),
# pulled if it is not here yet; if that pull fails (no registry reachable), a local Debian base,
# localhost/resilient-tasks/jvm-base:JVM_BASE_TAG, built once by scripts/jvm-base.sh and reused afterwards.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODULES=(api-service write-worker)
# Raise the number when scripts/jvm-base.sh changes what goes into the base, so that it is rebuilt.
JVM_BASE_TAG=17-bookworm-1
LOCAL_BASE=localhost/resilient-tasks/jvm-base:$JVM_BASE_TAG
PULL_TIMEOUT=${PULL_TIMEOUT:-300}

# The project's version: the first <version> of pom.xml, the project's own (it has no <parent>).
VERSION=$(sed -nE 's:^    <version>([^<]+)</version>.*:\1:p' pom.xml | head -n 1)
if [[ -z $VERSION ]]; then
    echo "image: cannot read the project version from pom.xml" >&2
    exit 1
fi

for module in "${MODULES[@]}"; do
    if [[ ! -f $module/target/quarkus-app/quarkus-run.jar ]]; then
        echo "image: $module/target/quarkus-app/ is missing: run make build first" >&2
        exit 1
    fi
done

# No Docker engine and no podman: install podman with runc, the runtime scripts/container.sh gives it.
if ! engine=$(scripts/container.sh engine 2>/dev/null); then
    root=()
    if ((EUID != 0)); then
        if ! sudo -n true 2>/dev/null; then
            echo "image: no container engine; install one: sudo apt-get install podman runc" >&2
            exit 1
        fi
        root=(sudo -n)
    fi
    echo "image: installing podman and runc with apt-get ..."
    "${root[@]}" apt-get update -q >/dev/null
    # With the recommended packages: podman's networking plugins and its image tools come with them.
    "${root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc >/dev/null
    engine=$(scripts/container.sh engine)
fi

# The base the Dockerfiles name by default (the same in both).
default_base=$(sed -nE 's/^ARG BASE_IMAGE=//p' "src/main/docker/Dockerfile.${MODULES[0]}.jvm")
base=${BASE_IMAGE:-}
if [[ -z $base ]]; then
    if scripts/container.sh image inspect "$default_base" >/dev/null 2>&1; then
        base=$default_base
    elif timeout "$PULL_TIMEOUT" scripts/container.sh pull "$default_base" >/dev/null 2>&1; then
        echo "image: pulled $default_base"
        base=$default_base
    else
        echo "image: cannot pull $default_base (no registry reachable?): using the local Debian base $LOCAL_BASE"
        scripts/jvm-base.sh "$LOCAL_BASE"
        base=$LOCAL_BASE
    fi
fi

for module in "${MODULES[@]}"; do
    tag=resilient-tasks/$module:$VERSION
    started=$SECONDS
    scripts/container.sh build --quiet --build-arg "BASE_IMAGE=$base" \
        -f "src/main/docker/Dockerfile.$module.jvm" -t "$tag" "$module" >/dev/null
    echo "image: built $tag on $base with $engine in $((SECONDS - started)) s"
done

# shellcheck shell=bash
# scripts/local-env.sh - sourced (not run) by the scripts that start the services from their jars: exports each
# setting of config/local.env (the local stack's passwords and keys) that the environment does not set already.
# Expects the repository root as the working directory.
while IFS='=' read -r name value; do
    [[ $name =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
    if [[ -z ${!name:-} ]]; then export "$name=$value"; fi
done < config/local.env

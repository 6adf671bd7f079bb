#!/usr/bin/env bash
# scripts/check-dockerfiles.sh - check the Dockerfiles in src/main/docker/ without Docker.
#
# For each Dockerfile.<module>.<jvm|native> (build context: the module folder):
#   - every FROM names a pinned tag or digest (not latest, not missing); a FROM ${ARG} is checked with the default
#     of that ARG (declared before the first FROM);
#   - the final stage runs as a USER that is not root;
#   - every COPY/ADD source outside another stage exists in the module folder (globs must match something). The
#     build output they copy comes first: target/quarkus-app/ from `make build` for jvm, target/native-sources/
#     from the native-sources build for native. When it is missing the check fails with the command that makes it
#     (it never builds anything itself);
#   - the final stage EXPOSEs exactly the ports the module listens on (application.properties): quarkus.http.port
#     unless quarkus.http.host-enabled=false, and quarkus.management.port (9000 by default) when
#     quarkus.management.enabled=true;
#   - whether there is a HEALTHCHECK (there should not be: the header comment says why, and that comment is checked);
#   - native: the executable copied from the build stage is the one native-image.args names;
#   - hadolint, when it is installed.
# Output: one "ok", "warn" or "FAIL" line per check; exit status 1 on any failure. What needs a container engine
# (building the images, running them) is listed at the end, not run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DOCKER_DIR=src/main/docker
MODULES=(api-service write-worker)
KINDS=(jvm native)
# What each kind copies from the module's target/, and the command that makes it.
declare -A OUTPUT=([jvm]=target/quarkus-app [native]=target/native-sources)
NATIVE_SOURCES="make native-sources"
declare -A MAKE_OUTPUT=([jvm]="make build" [native]="$NATIVE_SOURCES")

failures=0
warnings=0
skipped=0

ok() { printf 'ok    %s\n' "$*"; }
fail() {
    failures=$((failures + 1))
    printf 'FAIL  %s\n' "$*"
}
warn() {
    warnings=$((warnings + 1))
    printf 'warn  %s\n' "$*"
}
skip() {
    skipped=$((skipped + 1))
    printf 'skip  %s\n' "$*"
}

HADOLINT=$(command -v hadolint || true)

# instructions FILE: one instruction per line, "STAGE KEYWORD ARGUMENTS", with continuation lines joined and
# comments and blank lines dropped (as Docker does). STAGE counts the FROMs, starting at 1.
instructions() {
    awk '
        /^[[:space:]]*(#|$)/ { next }
        { line = line $0 }
        /\\[[:space:]]*$/ { sub(/\\[[:space:]]*$/, "", line); line = line " "; next }
        {
            sub(/^[[:space:]]+/, "", line)
            keyword = toupper(line); sub(/[[:space:]].*/, "", keyword)
            args = line; sub(/^[^[:space:]]+[[:space:]]*/, "", args)
            if (keyword == "FROM") stage++
            print stage + 0, keyword, args
            line = ""
        }
    ' "$1"
}

# words ARGS: the words of an instruction's arguments, one per line; the JSON form ["a", "b"] too.
words() {
    local args=$1
    if [[ $args == \[* ]]; then
        args=$(sed -E 's/^\[|\]$//g; s/"[[:space:]]*,[[:space:]]*"/ /g; s/"//g' <<<"$args")
    fi
    # shellcheck disable=SC2086 # splitting is the point; no globbing (set -f in the subshell)
    (set -f && printf '%s\n' $args)
}

# property MODULE KEY DEFAULT: the module's setting KEY (the unprofiled line of application.properties), DEFAULT
# when unset.
property() {
    local key=${2//./\\.} value
    value=$(sed -nE "s/^[[:space:]]*${key}[[:space:]]*[=:][[:space:]]*//p" \
        "$1/src/main/resources/application.properties" | tail -n 1)
    value=${value%%[[:space:]]*}
    # ${VAR:8081} -> 8081
    if [[ $value =~ ^\$\{[^:}]*:([^}]*)\}$ ]]; then value=${BASH_REMATCH[1]}; fi
    printf '%s' "${value:-$3}"
}

# matches MODULE SOURCE: does SOURCE (a path or glob, relative to the module) match an existing path?
matches() {
    local path
    while IFS= read -r path; do
        if [[ -e $path ]]; then return 0; fi
    done < <(compgen -G "$1/$2" || true)
    return 1
}

# native_output ARGS_FILE: the executable native-image.args names (-o NAME, or the word before -jar).
native_output() {
    local -a args
    local i
    # Split on whitespace, without globbing (read stops at end of file with status 1).
    read -r -d '' -a args <"$1" || true
    for ((i = 0; i < ${#args[@]}; i++)); do
        if [[ ${args[i]} == -o && $((i + 1)) -lt ${#args[@]} ]]; then
            printf '%s' "${args[i + 1]}"
            return 0
        fi
    done
    for ((i = 1; i < ${#args[@]}; i++)); do
        if [[ ${args[i]} == -jar && ${args[i - 1]} != -* ]]; then
            printf '%s' "${args[i - 1]}"
            return 0
        fi
    done
    return 1
}

check_dockerfile() {
    local module=$1 kind=$2
    local name=Dockerfile.$module.$kind
    local file=$DOCKER_DIR/$name
    local output=$module/${OUTPUT[$kind]}
    local stage keyword args last_stage=0 user="" healthcheck="" expose=() stages=() copied_executable=""
    local -a w sources
    local -A arg_default=() # the ARGs declared before the first FROM, which a FROM may use

    if [[ ! -f $file ]]; then
        fail "$file is missing"
        return 0
    fi
    if [[ -d $output ]]; then
        ok "$name: $output/ exists"
    else
        fail "$name: $output/ is missing, so its COPY sources cannot be checked. Make it with:"$'\n'"" \
            "     ${MAKE_OUTPUT[$kind]}"
    fi

    while read -r stage keyword args; do
        if ((stage > last_stage)); then
            # A new stage: what the final one sets is what counts.
            last_stage=$stage user="" expose=()
        fi
        mapfile -t w < <(words "$args")
        case $keyword in
            ARG)
                if ((stage == 0)) && [[ ${w[0]:-} == *=* ]]; then arg_default[${w[0]%%=*}]=${w[0]#*=}; fi
                ;;
            FROM)
                local image="" i written
                for ((i = 0; i < ${#w[@]}; i++)); do
                    if [[ ${w[i]} == --* ]]; then continue; fi
                    image=${w[i]}
                    if [[ ${w[i + 1]:-} == [Aa][Ss] ]]; then stages+=("${w[i + 2]:-}"); fi
                    break
                done
                # FROM ${NAME} or $NAME: what gets built without --build-arg is the ARG's default.
                written=$image
                if [[ $image =~ ^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$ && -n ${arg_default[${BASH_REMATCH[1]}]:-} ]]; then
                    image=${arg_default[${BASH_REMATCH[1]}]}
                    written="$written (default $image)"
                fi
                local tag=""
                if [[ ${image##*/} == *:* ]]; then tag=${image##*:}; fi
                if [[ " ${stages[*]} " == *" $image "* || $image == scratch ]]; then
                    ok "$name: FROM $image (no registry image)"
                elif [[ $image == *'$'* ]]; then
                    fail "$name: FROM $image: the image comes from a build argument without a default before the" \
                        "first FROM, so its tag cannot be checked"
                elif [[ $image == *@sha256:* ]]; then
                    ok "$name: FROM $written is pinned by digest"
                elif [[ -z $tag ]]; then
                    fail "$name: FROM $written has no tag (Docker would take latest): pin one"
                elif [[ $tag == latest ]]; then
                    fail "$name: FROM $written: latest is not pinned"
                else
                    ok "$name: FROM $written is pinned"
                fi
                ;;
            USER) user=${w[0]:-} ;;
            EXPOSE) expose+=("${w[@]%/*}") ;;
            HEALTHCHECK) healthcheck=$args ;;
            COPY | ADD)
                local from="" word
                sources=()
                for word in "${w[@]}"; do
                    case $word in
                        --from=*) from=${word#--from=} ;;
                        --*) ;;
                        *) sources+=("$word") ;;
                    esac
                done
                # The last word is the destination.
                if ((${#sources[@]} < 2)); then
                    fail "$name: $keyword $args: no source or no destination"
                    continue
                fi
                unset 'sources[-1]'
                if [[ -n $from ]]; then
                    # From another stage: nothing to find here (the last such copy is the native executable).
                    copied_executable=${sources[0]##*/}
                    continue
                fi
                local source
                for source in "${sources[@]}"; do
                    if [[ $keyword == ADD && $source == *://* ]]; then
                        warn "$name: ADD $source fetches a URL at build time; it is not checked here"
                    elif [[ $module/${source%/} == "$output"* && ! -d $output ]]; then
                        : # reported above, with the command that makes it
                    elif matches "$module" "$source"; then
                        ok "$name: $keyword $source exists in $module/"
                    else
                        fail "$name: $keyword $source: nothing matches $module/$source"
                    fi
                done
                ;;
        esac
    done < <(instructions "$file")

    # The final stage's user.
    case $user in
        "") fail "$name: the final stage sets no USER, so the container may run as root" ;;
        root | 0 | root:* | 0:*) fail "$name: the final stage runs as USER $user" ;;
        *) ok "$name: the final stage runs as USER $user" ;;
    esac

    # The ports it exposes are the ones Quarkus listens on: the application's (unless its HTTP server is off) and the
    # management interface's (when it is on).
    local port management expected=() exposed
    port=$(property "$module" quarkus.http.port 8080)
    management=$(property "$module" quarkus.management.port 9000)
    if [[ $(property "$module" quarkus.http.host-enabled true) == true ]]; then expected+=("$port"); fi
    if [[ $(property "$module" quarkus.management.enabled false) == true ]]; then expected+=("$management"); fi
    exposed=$(printf '%s\n' "${expose[@]}" | sort -n | xargs)
    if [[ $exposed == "$(printf '%s\n' "${expected[@]}" | sort -n | xargs)" ]]; then
        ok "$name: EXPOSE $exposed = what $module listens on (quarkus.http.port, quarkus.management.port)"
    else
        fail "$name: EXPOSE ${exposed:-(none)}, but $module listens on ${expected[*]:-nothing}" \
            "(quarkus.http.port=$port unless quarkus.http.host-enabled=false, quarkus.management.port=$management" \
            "when quarkus.management.enabled=true)"
    fi

    # No HEALTHCHECK, and a comment that says why.
    if [[ -z $healthcheck || ${healthcheck^^} == NONE ]]; then
        ok "$name: no HEALTHCHECK"
        if grep -Eq '^[[:space:]]*#.*HEALTHCHECK' "$file"; then
            ok "$name: a comment explains the missing HEALTHCHECK"
        else
            fail "$name: no comment explains the missing HEALTHCHECK (say why, as in the other Dockerfiles)"
        fi
    else
        warn "$name: HEALTHCHECK $healthcheck: the image must have the client it runs, and its comment must say so"
    fi

    # native: the executable copied out of the build stage is the one native-image builds.
    if [[ $kind == native && -f $output/native-image.args ]]; then
        local built
        if ! built=$(native_output "$output/native-image.args"); then
            fail "$name: cannot tell the output name from $output/native-image.args (no -o NAME, no NAME -jar)"
        elif [[ $copied_executable == "$built" ]]; then
            ok "$name: copies $built, the executable $output/native-image.args names"
        else
            fail "$name: copies ${copied_executable:-nothing} to /work/application, but native-image.args builds $built"
        fi
    fi

    if [[ -n $HADOLINT ]]; then
        local lint
        if lint=$("$HADOLINT" "$file" 2>&1); then
            ok "$name: hadolint"
        else
            fail "$name: hadolint:"$'\n'"      ${lint//$'\n'/$'\n'      }"
        fi
    fi
}

for module in "${MODULES[@]}"; do
    for kind in "${KINDS[@]}"; do
        check_dockerfile "$module" "$kind"
    done
done

if [[ -z $HADOLINT ]]; then
    skip "hadolint (not installed: see https://github.com/hadolint/hadolint/releases; it is not in Debian's apt)"
fi
skip "building and running the JVM images: make image and make image-test (podman, or a Docker engine)"
skip "building the native images, pulling the default base images: they need a registry"
echo
echo "$failures failed, $warnings warnings, $skipped not checked here"
((failures == 0))

#!/usr/bin/env bash
# Builds the Icecast releases the tests run besides Debian's icecast2 2.4.4:
# Icecast 2.5.0 and Icecast-KH kh22, from source, into a cache reused between runs.
#
#   scripts/build-oracles.sh                 build every release (no-op when cached)
#   scripts/build-oracles.sh 2.5 kh          build the named releases
#   scripts/build-oracles.sh --prefix 2.5    print where the release is installed;
#                                            exit 1 (and print where it would go) if not built
#
# Why a cache: a build takes about 20 s per release on 2 cores, a test run must not pay it
# twice.  Each release installs into <cache>/<version>-<sha256 prefix of its source>/ (bin/icecast,
# share/icecast/...); a stamp file written last marks a complete install, so a second run costs
# nothing and an interrupted build never leaves a half cache: everything is built and installed
# in a temporary directory beside the target and moved into place with one rename.
#
# Cache: $ICECFG_ORACLE_CACHE if set, else /var/cache/icecfg-oracles when writable (world-readable,
# so the unprivileged user the tests run a server as can execute it), else
# ${XDG_CACHE_HOME:-~/.cache}/icecfg-oracles.
#
# Sources: the tarballs in $ICECFG_ORACLE_SOURCES if set, else ../shared/oracles/ beside the
# checkout, else downloaded from the upstream release.  Every source is checked against the
# checksums below before it is unpacked: the tarball's SHA-256, or for a download whose archive
# bytes upstream does not pin (GitHub's tag archive of KH), the SHA-256 of its file tree.
#
# Build dependencies (Debian): scripts/install-system-deps.sh installs them.
set -euo pipefail
umask 022

# Bump when the way a release is built changes: a cached build from another recipe is replaced.
RECIPE=1
JOBS=2

REPO="$(cd "$(dirname "$0")/.." && pwd)"

# release id -> version, tarball, tarball SHA-256, download URL, tree SHA-256 (see tree_sha256)
declare -A VERSION=([2.5]=2.5.0 [kh]=2.4.0-kh22)
declare -A TARBALL=([2.5]=icecast-2.5.0.tar.gz [kh]=icecast-kh-2.4.0-kh22.tar.gz)
declare -A SHA256=(
    [2.5]=d9aa07c7429aec19d950ff6fd425c371f77158cd34ff220fc191b2c186c67c7a
    [kh]=7ffefad2075c936cf9493c1b849a4d89b8044d5eecec34c1d7f663dc1f5538c3
)
declare -A URL=(
    [2.5]=https://downloads.xiph.org/releases/icecast/icecast-2.5.0.tar.gz
    [kh]=https://github.com/karlheyes/icecast-kh/archive/refs/tags/icecast-2.4.0-kh22.tar.gz
)
# KH's release is a git tag; its tree is that of commit bb41738.  The tarball in ../shared/oracles
# adds a one-line `version` file (without it KH stamps the build with the current date).
declare -A TREE_SHA256=([kh]=f4ae5acd3382cf44216306761bd8afdd3e9950d415d912f0c4a4b2eb429fc414)
declare -A VERSION_FILE=([kh]=0-gbb41738)
RELEASES=(2.5 kh)

die() {
    echo "build-oracles: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 [--prefix] [2.5|kh ...]" >&2
    exit 2
}

# SHA-256 over the sorted list of "hash  path" of every regular file under $1 except ./version:
# identifies a source tree independently of how it was archived and compressed.
tree_sha256() {
    (cd "$1" && find . -type f ! -path ./version -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

cache_candidates() {
    if [ -n "${ICECFG_ORACLE_CACHE:-}" ]; then
        echo "$ICECFG_ORACLE_CACHE"
        return
    fi
    echo /var/cache/icecfg-oracles
    echo "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/icecfg-oracles"
}

# The first cache root this user can write to (created if needed).
writable_cache() {
    local root
    while read -r root; do
        if mkdir -p "$root" 2>/dev/null && [ -w "$root" ]; then
            chmod 755 "$root" 2>/dev/null || true
            echo "$root"
            return
        fi
    done < <(cache_candidates)
    die "no writable cache directory (set ICECFG_ORACLE_CACHE)"
}

install_name() { echo "${VERSION[$1]}-${SHA256[$1]:0:12}"; }
stamp_text() { echo "release=$1 version=${VERSION[$1]} sha256=${SHA256[$1]} recipe=$RECIPE"; }

# True when $1 (an install prefix) holds a complete build of release $2 by this recipe.
is_built() {
    [ -x "$1/bin/icecast" ] && [ -f "$1/.icecfg-oracle-stamp" ] && [ "$(cat "$1/.icecfg-oracle-stamp")" = "$(stamp_text "$2")" ]
}

# Print the install prefix of release $1: the first cache holding a complete build, else where
# a build would go (exit status 1).
print_prefix() {
    local root
    while read -r root; do
        if is_built "$root/$(install_name "$1")" "$1"; then
            echo "$root/$(install_name "$1")"
            return 0
        fi
    done < <(cache_candidates)
    local fallback
    fallback="$(cache_candidates | head -n1)"
    [ -n "${ICECFG_ORACLE_CACHE:-}" ] || [ -w "$fallback" ] || fallback="$(cache_candidates | tail -n1)"
    echo "$fallback/$(install_name "$1")"
    return 1
}

# Unpack the verified source of release $1 into directory $2 and print the source tree's path.
fetch_source() {
    local rel="$1" work="$2" tarball="${TARBALL[$1]}" dir="" candidate
    if [ -n "${ICECFG_ORACLE_SOURCES:-}" ]; then
        candidate="$ICECFG_ORACLE_SOURCES/$tarball"
        [ -f "$candidate" ] || die "$candidate: not found (ICECFG_ORACLE_SOURCES=$ICECFG_ORACLE_SOURCES)"
    else
        candidate="$REPO/../shared/oracles/$tarball"
    fi
    mkdir -p "$work/src"
    if [ -f "$candidate" ]; then
        echo "${SHA256[$rel]}  $candidate" | sha256sum --quiet -c - >&2 ||
            die "$candidate: SHA-256 differs from ${SHA256[$rel]}"
        tar -xzf "$candidate" -C "$work/src"
    else
        echo "build-oracles: downloading ${URL[$rel]}" >&2
        curl -fsSL --proto '=https' --retry 2 -o "$work/$tarball" "${URL[$rel]}" ||
            die "cannot download ${URL[$rel]}; put $tarball into ICECFG_ORACLE_SOURCES"
        tar -xzf "$work/$tarball" -C "$work/src"
    fi
    dir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d)"
    [ "$(echo "$dir" | wc -l)" -eq 1 ] || die "$tarball: expected one top-level directory"
    if [ ! -f "$candidate" ]; then
        if [ -n "${TREE_SHA256[$rel]:-}" ]; then
            local got
            got="$(tree_sha256 "$dir")"
            [ "$got" = "${TREE_SHA256[$rel]}" ] || die "${URL[$rel]}: file tree SHA-256 $got differs from ${TREE_SHA256[$rel]}"
        else
            echo "${SHA256[$rel]}  $work/$tarball" | sha256sum --quiet -c - >&2 ||
                die "${URL[$rel]}: SHA-256 differs from ${SHA256[$rel]}"
        fi
    fi
    if [ -n "${VERSION_FILE[$rel]:-}" ] && [ ! -f "$dir/version" ]; then
        echo "${VERSION_FILE[$rel]}" >"$dir/version"
    fi
    echo "$dir"
}

# Configure, compile and install release $1 from source tree $2 into staging root $3 for prefix $4.
compile() {
    local rel="$1" src="$2" stage="$3" prefix="$4"
    (
        cd "$src"
        case "$rel" in
        2.5)
            # 2.5.0 asks for libigloo >= 0.9.4; Debian 12 has 0.9.2, with which it builds and
            # passes its own tests.  Given LIBIGLOO_CFLAGS/LIBS, configure skips the version test.
            LIBIGLOO_CFLAGS="$(pkg-config --cflags igloo)" LIBIGLOO_LIBS="$(pkg-config --libs igloo)" \
                ./configure --prefix="$prefix"
            ;;
        kh)
            # The tag ships a configure generated by a newer autotools than Debian's; regenerate.
            ./autogen.sh
            ./configure --prefix="$prefix"
            ;;
        esac
        make -j"$JOBS"
        make install DESTDIR="$stage"
    )
}

build() {
    local rel="$1" root name prefix work src
    if prefix="$(print_prefix "$rel")"; then
        echo "$prefix" # built already, possibly by another user in a cache this one cannot write
        return
    fi
    root="$(writable_cache)"
    name="$(install_name "$rel")"
    prefix="$root/$name"
    exec 9>"$root/.lock"
    flock 9 # one build at a time per cache; a waiting run then finds the stamp
    if is_built "$prefix" "$rel"; then
        exec 9>&-
        echo "$prefix"
        return
    fi
    work="$(mktemp -d "$root/.build-$name.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: the trap must remove this build's directory
    trap "rm -rf '$work'" EXIT
    echo "build-oracles: building Icecast ${VERSION[$rel]} into $prefix (log: $work/build.log)" >&2
    local started=$SECONDS
    src="$(fetch_source "$rel" "$work")"
    if ! compile "$rel" "$src" "$work/stage" "$prefix" >"$work/build.log" 2>&1; then
        tail -n 40 "$work/build.log" >&2
        die "building Icecast ${VERSION[$rel]} failed (see above; dependencies: scripts/install-system-deps.sh)"
    fi
    local staged="$work/stage$prefix"
    "$staged/bin/icecast" -v >/dev/null 2>&1 || true # smoke: the binary links
    stamp_text "$rel" >"$staged/.icecfg-oracle-stamp"
    chmod -R go+rX,go-w "$staged"
    # Replace atomically: an old build (other recipe) is moved aside first, then removed.
    if [ -e "$prefix" ]; then
        mv "$prefix" "$work/old"
    fi
    mv "$staged" "$prefix"
    rm -rf "$work"
    trap - EXIT
    exec 9>&-
    echo "build-oracles: Icecast ${VERSION[$rel]} built in $((SECONDS - started)) s" >&2
    echo "$prefix"
}

mode=build
args=()
for a in "$@"; do
    case "$a" in
    --prefix) mode=prefix ;;
    -h | --help) usage ;;
    2.5 | kh) args+=("$a") ;;
    *) usage ;;
    esac
done
[ ${#args[@]} -gt 0 ] || args=("${RELEASES[@]}")

status=0
for rel in "${args[@]}"; do
    if [ "$mode" = prefix ]; then
        print_prefix "$rel" || status=1
    else
        build "$rel"
    fi
done
exit $status

#!/bin/bash
# icecfg bake, step 1b (release 2.5 only): build Icecast 2.5.0 on the build droplet
# from Debian's own source package (icecast2 2.5.0-2, from Debian unstable) with
# Debian's own packaging, and install the resulting package. Debian 12 has no
# Icecast 2.5; the package built here has the same layout as Debian's 2.4 package
# (/usr/bin/icecast2, /etc/icecast2, the icecast2 user in group icecast,
# /var/log/icecast2), so the later steps are the same for both releases.
#
# Every downloaded file is pinned by SHA-256 (apt-helper refuses a mismatch), and
# dpkg-source checks the tarballs against the pinned .dsc again. The files come
# from Debian's archive; snapshot.debian.org keeps them by SHA-1 for good, which is
# the fallback once Debian unstable has moved on to a newer upload.
#
# Local changes, all needed on Debian 12 only: Debian 12's libigloo is 0.9.2
# while 2.5.0's configure asks for >= 0.9.4 (and the packaging for >= 0.9.5~).
# Setting LIBIGLOO_CFLAGS/LIBIGLOO_LIBS skips configure's version test; 2.5.0
# builds against 0.9.2 and passes its own unit tests except six admin.test cases
# that upstream's CI disables too, which is why the tests are not run here
# (nocheck). Debian 12's systemd-sysusers (252) does not know the 'u!' line type
# of the package's sysusers.d file ("Unknown modifier", the postinst fails); a
# plain 'u' makes the same locked system user there. The package gets a local version (2.5.0-2~deb12+icecfg1) so that it is
# never mistaken for Debian's own build.
#
# The build dependencies are removed again afterwards: the image keeps only
# icecast2 and what it needs at run time.
#
# The built package is left at $ICECFG_BUILT, which icecfg downloads and keeps on
# its machine; a later bake with the same recipe and base image stages it as
# prebuilt/icecast2.deb, and then it is installed instead of built again (its
# name, version and architecture checked). $ICECFG_BUILT is empty when nothing
# was built.
set -euo pipefail
: "${ICECFG_STAGE:?ICECFG_STAGE is not set}"
: "${ICECFG_BUILT:?ICECFG_BUILT is not set}"
# shellcheck source=/dev/null
. "$ICECFG_STAGE/settings.env"
install -m 0600 /dev/null "$ICECFG_BUILT"
if [ "$ICECFG_RELEASE" != 2.5 ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive

source_version=2.5.0-2
local_version=2.5.0-2~deb12+icecfg1
# name, SHA-256, SHA-1 (snapshot.debian.org's file id)
pinned=(
    "icecast2_2.5.0-2.dsc 94d895f168ccc6c638a26e942670e9fde0110f8cf7a37baa361c2de7661610cd f9217786ef7538df394750c00976d12a3d5cebda"
    "icecast2_2.5.0.orig.tar.gz d9aa07c7429aec19d950ff6fd425c371f77158cd34ff220fc191b2c186c67c7a 7af969f386e513648c7644a3cbe9e19a418f9216"
    "icecast2_2.5.0-2.debian.tar.xz ea9f3e20aa3ead396f94ce518d1a3c18803ca6529052e65a657c1ccee8b321bd 81cc78ebe0cb32d15a8a34375c558de7f887baad"
)
archive=http://deb.debian.org/debian/pool/main/i/icecast2
snapshot=http://snapshot.debian.org/file

apt=(apt-get -y -q
    -o DPkg::Lock::Timeout=600
    -o Dpkg::Options::=--force-confdef
    -o Dpkg::Options::=--force-confold)

installed_packages() {
    dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort -u
}

prebuilt=$ICECFG_STAGE/prebuilt/icecast2.deb
if [ -s "$prebuilt" ]; then
    # shellcheck disable=SC2016  # dpkg-deb's own ${field} syntax
    fields=$(dpkg-deb --showformat='${Package} ${Version} ${Architecture}' --show "$prebuilt")
    if [ "$fields" != "icecast2 $local_version $(dpkg --print-architecture)" ]; then
        echo "icecfg: the kept package is '$fields', not icecast2 $local_version" >&2
        exit 1
    fi
    "${apt[@]}" install --no-install-recommends "$prebuilt"
    apt-mark manual icecast2 >/dev/null
    echo "icecfg: installed icecast2 $local_version, kept from an earlier bake (not built again)"
    exit 0
fi

work=$(mktemp -d /var/tmp/icecfg-icecast-2.5.XXXXXX)
trap 'rm -rf -- "$work"' EXIT
before=$work/packages.before
installed_packages >"$before"

started=$SECONDS
"${apt[@]}" install --no-install-recommends dpkg-dev

for entry in "${pinned[@]}"; do
    read -r name sha256 sha1 <<<"$entry"
    got=""
    for url in "$archive/$name" "$snapshot/$sha1"; do
        if /usr/lib/apt/apt-helper -o Acquire::Retries=3 download-file "$url" "$work/$name" "SHA256:$sha256" >/dev/null; then
            got=$url
            break
        fi
        echo "icecfg: could not fetch $url (or it did not match SHA-256 $sha256)" >&2
    done
    if [ -z "$got" ]; then
        echo "icecfg: cannot fetch $name of icecast2 $source_version" >&2
        exit 1
    fi
    echo "icecfg: fetched $name (sha256 $sha256) from $got"
done

cd "$work"
dpkg-source -x "icecast2_$source_version.dsc" src >/dev/null
cd src
sed -i 's/libigloo-dev (>= [^)]*)/libigloo-dev/' debian/control
sed -i 's/^u! /u /' debian/icecast2.sysusers
{
    printf 'icecast2 (%s) bookworm; urgency=medium\n\n' "$local_version"
    printf '  * Rebuilt by icecfg bake for Debian 12 (libigloo 0.9.2, tests not run).\n\n'
    printf ' -- icecfg bake <root@localhost>  %s\n\n' "$(date -R)"
    cat debian/changelog
} >debian/changelog.new
mv debian/changelog.new debian/changelog

"${apt[@]}" build-dep --no-install-recommends ./
LIBIGLOO_CFLAGS=$(pkg-config --cflags igloo)
LIBIGLOO_LIBS=$(pkg-config --libs igloo)
# configure skips its version test only when both are non-empty.
export LIBIGLOO_CFLAGS="${LIBIGLOO_CFLAGS:- }" LIBIGLOO_LIBS
DEB_BUILD_OPTIONS="nocheck noddebs parallel=$(nproc)"
export DEB_BUILD_OPTIONS
dpkg-buildpackage -b -uc -us >"$work/build.log" 2>&1 || {
    tail -n 40 "$work/build.log" >&2
    echo "icecfg: building icecast2 $local_version failed" >&2
    exit 1
}
built=$SECONDS
cd "$work"
deb=$(ls icecast2_*.deb)
"${apt[@]}" install --no-install-recommends "./$deb"
cp -- "$deb" "$ICECFG_BUILT"

# Everything installed for the build and not needed by icecast2 goes again, and
# nothing else: packages that were there before are never removed. Suggests and
# Recommends do not count (apt Suggests dpkg-dev, which would otherwise keep the
# whole tool chain).
installed_packages >"$work/packages.after"
comm -13 "$before" "$work/packages.after" | grep -vx icecast2 >"$work/packages.new" || true
xargs -r apt-mark auto <"$work/packages.new" >/dev/null
apt-mark manual icecast2 >/dev/null
apt-get -s -o APT::AutoRemove::SuggestsImportant=false -o APT::AutoRemove::RecommendsImportant=false autoremove \
    | awk '$1 == "Remv" { sub(/:.*/, "", $2); print $2 }' | sort -u >"$work/packages.unneeded"
comm -12 "$work/packages.new" "$work/packages.unneeded" >"$work/packages.remove"
if [ -s "$work/packages.remove" ]; then
    xargs "${apt[@]}" purge <"$work/packages.remove" >/dev/null
fi
echo "icecfg: removed $(wc -l <"$work/packages.remove") packages installed only for the build"

dpkg-query -W -f='${Status}\n' icecast2 | grep -qx 'install ok installed'
getent passwd icecast2 >/dev/null
getent group icecast >/dev/null
echo "icecfg: built icecast2 $local_version in $((built - started)) s, installed in $((SECONDS - started)) s"

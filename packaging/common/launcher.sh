#!/bin/sh
# @@launcher.name@@: runs Gatehouse's @@launcher.what@@ (@@launcher.main@@) on a Java 21 or newer.
# Made from packaging/common/launcher.sh by the build; installed as /usr/bin/@@launcher.name@@.
#
# Java: $JAVA_HOME, then every runtime under $GATEHOUSE_JVM_DIRS (default /usr/lib/jvm), then the
# `java` on PATH; the first one that is 21 or newer runs. JAVA_OPTS goes to the JVM, after this
# launcher's defaults, so it can override them. The JVM replaces this script (exec): under systemd
# it is the service's main process, which alone may send sd_notify messages (NotifyAccess=main).
set -eu

name=@@launcher.name@@
main=@@launcher.main@@
minimum=21

# The jars: /usr/share/NAME/lib beside /usr/bin (the .deb, also when unpacked under another root),
# or lib/ beside bin/ (the tarball).
self=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")
here=$(dirname "$self")
if [ -d "$here/../share/$name/lib" ]; then
    lib=$(cd "$here/../share/$name/lib" && pwd)
elif [ -d "$here/../lib" ]; then
    lib=$(cd "$here/../lib" && pwd)
else
    echo "$name: cannot find its jars in $here/../share/$name/lib or $here/../lib; reinstall the package" >&2
    exit 1
fi

# Prints the feature version (17, 21, 25) of the Java installed at $1, or nothing.
java_major() {
    version=""
    if [ -r "$1/release" ]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
    fi
    if [ -z "$version" ] && [ -x "$1/bin/java" ]; then
        version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.specification\.version = //p')
    fi
    case "$version" in
        1.*) version=${version#1.} ;;
    esac
    printf '%s' "${version%%[!0-9]*}"
}

# Remembers what was tried, for the message when nothing fits.
tried=""
java=""
try_home() { # $1 = a Java home, $2 = where it came from
    [ -n "$java" ] && return 0
    [ -x "$1/bin/java" ] || return 0
    major=$(java_major "$1")
    if [ -n "$major" ] && [ "$major" -ge "$minimum" ]; then
        java="$1/bin/java"
    else
        tried="$tried
  $2: $1 is Java ${major:-of unknown version}"
    fi
}

if [ -n "${JAVA_HOME:-}" ]; then
    try_home "$JAVA_HOME" "JAVA_HOME"
fi
for dir in ${GATEHOUSE_JVM_DIRS:-/usr/lib/jvm}; do
    for home in "$dir"/*; do
        [ -d "$home" ] && try_home "$home" "$dir"
    done
done
if [ -z "$java" ] && command -v java >/dev/null 2>&1; then
    on_path=$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)
    try_home "$(dirname "$(dirname "$on_path")")" "PATH"
fi
if [ -z "$java" ]; then
    echo "$name: needs Java $minimum or newer, and found none.${tried:+ Found:$tried}" >&2
    echo "  Looked at: \$JAVA_HOME (${JAVA_HOME:-not set}), ${GATEHOUSE_JVM_DIRS:-/usr/lib/jvm}/*, the java on PATH." >&2
    echo "  Fix: on Debian 13 or Raspberry Pi OS (trixie): apt install openjdk-21-jre-headless" >&2
    echo "       on Debian 12: install temurin-21-jre from Adoptium's apt repository (https://adoptium.net/installation/linux/)" >&2
    echo "       or set JAVA_HOME to a Java $minimum+ installation (for the service: a drop-in with Environment=JAVA_HOME=...)" >&2
    exit 1
fi

# Class data sharing for the long-running command (@@launcher.cds@@; none where empty): the classes it
# loads as it starts, mapped from an archive instead of read from the jars, start it about twice as
# fast (the edge agent claims its doors locked ~0.4 s sooner after a crash). The JVM writes the
# archive when such a run ends cleanly (a service stop, an upgrade's restart) and writes it again
# when the jars or the Java change; a run killed before any clean end runs without one. Where: the
# service's CacheDirectory ($CACHE_DIRECTORY, /var/cache/gatehouse), or $GATEHOUSE_CDS_DIR; neither
# set, none. An archive is code the JVM maps, so only one in a directory of this user's that nobody
# else may write is used; GATEHOUSE_CDS_DIR=off turns it off.
cds=""
cds_command=@@launcher.cds@@
cds_dir=${GATEHOUSE_CDS_DIR:-${CACHE_DIRECTORY:-}}
if [ -n "$cds_command" ] && [ "${1:-}" = "$cds_command" ] && [ -n "$cds_dir" ] && [ "$cds_dir" != off ]; then
    archive="$cds_dir/$name.jsa"
    if [ "$cds_dir" != "$(printf '%s' "$cds_dir" | tr -d ' \t\n')" ]; then
        echo "$name: not using a class data archive: its directory '$cds_dir' has a space in its name" >&2
    elif [ ! -d "$cds_dir" ] || [ ! -O "$cds_dir" ] || [ -n "$(find "$cds_dir" -maxdepth 0 -perm /022)" ]; then
        echo "$name: not using a class data archive: $cds_dir must be a directory of this user's that no one else can write" >&2
    elif [ -e "$archive" ] && { [ ! -O "$archive" ] || [ -n "$(find "$archive" -maxdepth 0 -perm /022)" ]; }; then
        echo "$name: not using the class data archive $archive: it must be this user's, writable by no one else; delete it and it is made again" >&2
    else
        cds="-XX:SharedArchiveFile=$archive -XX:+AutoCreateSharedArchive"
    fi
fi

# shellcheck disable=SC2086 # JAVA_OPTS holds several options, split on spaces as java's own launchers do
exec "$java" @@launcher.opts@@ $cds ${JAVA_OPTS:-} -cp "$lib/*" "$main" "$@"

# Sourced by ./gatehouse and .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, then the `java` on PATH, then every JDK under /usr/lib/jvm (newest first).

gatehouse_java_major() { # $1 = path to a java binary; prints its feature version (17, 21, 25…)
    "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

gatehouse_find_jdk() {
    local candidates=() home java major
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    if command -v javac >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
    fi
    for home in $(ls -d /usr/lib/jvm/*/ /opt/java/*/ /opt/jdk*/ 2>/dev/null | sort -rV); do
        candidates+=("${home%/}")
    done
    for home in "${candidates[@]}"; do
        java="$home/bin/java"
        [ -x "$java" ] && [ -x "$home/bin/javac" ] || continue
        major=$(gatehouse_java_major "$java")
        if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
            export JAVA_HOME="$home"
            export PATH="$JAVA_HOME/bin:$PATH"
            return 0
        fi
    done
    echo "gatehouse: no JDK 21 or newer found (looked at JAVA_HOME, the javac on PATH and /usr/lib/jvm/*)." >&2
    echo "gatehouse: install a JDK 21+ (an Eclipse Temurin 21 or 25 build, or your distribution's openjdk-21 package where it has one) and set JAVA_HOME to it." >&2
    return 1
}

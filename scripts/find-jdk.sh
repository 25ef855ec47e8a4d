# Sourced by ./stockade and ./run-tests: sets JAVA_HOME to a JDK >= 25 (JAVA_HOME first, then /usr/lib/jvm/*).
jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null
}
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && jdk_ok "$JAVA_HOME"; then echo "$JAVA_HOME"; return 0; fi
  local d
  for d in /usr/lib/jvm/*; do
    if jdk_ok "$d"; then echo "$d"; return 0; fi
  done
  echo "no JDK >= 25 found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
  return 1
}

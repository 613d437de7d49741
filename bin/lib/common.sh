# Shared by the bin/ commands: system packages, the build, and the toolkit's Java command line.
# Sourced, not run.

DIFFII_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian packages every command needs: the Fashion-MNIST data, fonts for headless charts, a JDK and Maven.
DIFFII_BASE_PACKAGES=(dataset-fashion-mnist fontconfig fonts-dejavu-core openjdk-17-jdk-headless maven)
# Extra packages for the test command: Jupyter pieces for the kernel and the notebooks, Chromium for screenshots.
DIFFII_TEST_PACKAGES=(jupyter-client python3-nbclient jupyter-nbconvert python3-ipykernel python3-jupyter-kernel-test)

# Installs the named Debian packages that are missing when running as root; otherwise stops with the
# exact command to run.
diffii_require_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "diffii: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || {
      echo "diffii: apt-get install failed for: ${missing[*]}" >&2
      return 1
    }
  else
    echo "diffii: missing system packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}

# Builds a module's jar (the toolkit unless named, e.g. bench) and its runtime classpath file
# unless they are newer than the sources it is built from.
diffii_build() {
  local module="${1:-toolkit}"
  local jar="$DIFFII_ROOT/$module/target/diffii-$module-0.1.0-SNAPSHOT.jar"
  if [ -f "$jar" ] && [ -f "$DIFFII_ROOT/$module/target/classpath.txt" ] &&
    [ -z "$(find "$DIFFII_ROOT/toolkit/src/main" "$DIFFII_ROOT/$module/src/main" "$DIFFII_ROOT/pom.xml" \
      "$DIFFII_ROOT/toolkit/pom.xml" "$DIFFII_ROOT/$module/pom.xml" -newer "$jar" -print -quit)" ]; then
    return 0
  fi
  (cd "$DIFFII_ROOT" && mvn -q -B -DskipTests -pl "$module" -am package) >&2
}

# Runs the toolkit's command-line entry point with the project's JVM settings.
diffii_java() {
  local cp="$DIFFII_ROOT/toolkit/target/diffii-toolkit-0.1.0-SNAPSHOT.jar:$(cat "$DIFFII_ROOT/toolkit/target/classpath.txt")"
  DJL_OFFLINE=true exec java -Xmx8g -Dai.djl.offline=true -Djava.awt.headless=true \
    -Ddiffii.root="$DIFFII_ROOT" -cp "$cp" io.diffii.cli.Main "$@"
}

# Shared by the scripts: locate the project, build the driver jar when sources are newer, run Java.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="0.1.0-SNAPSHOT"
DRIVER_JAR="$ROOT/driver/target/driver-$VERSION.jar"
APP_JAR="$ROOT/driver/target/sparktrain-$VERSION-app.jar"   # for spark-submit; shipped to a cluster's executors
FMNIST_DEFAULT="/usr/share/datasets/fashion-mnist"
# conf/jvm.options: the Vector API for the GEMM kernel (docs/architecture.md, decision 2) and Spark's module openings.
mapfile -t JAVA_MODULE_OPTS < <(grep -v '^#' "$ROOT/conf/jvm.options" | grep -v '^$')
JAVA_MODULE_OPTS+=('-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n'
  "-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties")

# The build the scripts run: quiet, and without terminal codes. Maven 3.8's console library (jansi) writes a reset,
# "ESC[0m", as it starts and ends whatever -B or style.color say; jansi.noreset (a JVM property) stops that.
MVN_BUILD=(env "MAVEN_OPTS=${MAVEN_OPTS:-} -Djansi.noreset=true" mvn -B -q -ntp -Dstyle.color=never -DskipTests
  -pl driver -am package)

# The JVM prints "WARNING: Using incubator modules: jdk.incubator.vector" at every start because of
# --add-modules=jdk.incubator.vector (the GEMM kernel, docs/architecture.md decision 2), and no JVM option turns it
# off. java_quiet execs java (signals still reach the JVM itself) with its standard error passed through grep,
# which drops that one line and nothing else; the grep ignores INT/TERM/HUP, so it passes on every last line and
# ends when java's standard error closes. SPARKTRAIN_INCUBATOR_WARNING=1 leaves standard error alone.
INCUBATOR_WARNING='WARNING: Using incubator modules: jdk.incubator.vector'
drop_incubator_warning() {
  trap '' INT TERM HUP
  exec grep --line-buffered -v -x -F "$INCUBATOR_WARNING"
}
java_quiet() {
  [ "${SPARKTRAIN_INCUBATOR_WARNING:-0}" = 1 ] && exec java "$@"
  exec java "$@" 2> >(drop_incubator_warning >&2)
}

build_if_needed() {
  [ -n "${SPARKTRAIN_SKIP_BUILD:-}" ] && return 0   # set by the end-to-end tests, which run inside a build
  if [ ! -f "$DRIVER_JAR" ] || [ ! -f "$APP_JAR" ] || [ -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$DRIVER_JAR" -print -quit)" ]; then
    echo "sparktrain: building (mvn package, tests skipped) ..." >&2
    (cd "$ROOT" && "${MVN_BUILD[@]}") >&2
    # Maven leaves a jar whose own module did not change as it was: mark the build done, or every run would
    # build again after a change in another module
    touch "$DRIVER_JAR" "$APP_JAR"
  fi
}

ensure_fashion_mnist() {
  local dir="${1:-$FMNIST_DEFAULT}"
  if [ ! -f "$dir/train-images-idx3-ubyte.gz" ] && [ ! -f "$dir/train-images-idx3-ubyte" ]; then
    if [ "$dir" = "$FMNIST_DEFAULT" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "sparktrain: installing Debian's dataset-fashion-mnist ..." >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) >&2
    else
      echo "sparktrain: Fashion-MNIST not found in $dir; install it with 'apt-get install dataset-fashion-mnist' or pass --data DIR" >&2
      exit 1
    fi
  fi
}

# Class data sharing (JDK AppCDS): the classes a run loads (Spark, Hadoop, Scala, sparktrain), parsed and
# verified once, are mapped from an archive by later runs, so a JVM starts and runs Spark's first job about
# 3 s sooner. The first Spark run (train, evaluate, score, a Spark benchmark) after a build or a JDK change
# writes the archive as it exits (a few seconds, once; runs/cds or SPARKTRAIN_CDS_DIR, ~110 MB, replacing the
# previous one); a failed run, one that starts no Spark (--help), or one without 1 GB free there writes none.
# SPARKTRAIN_CDS=0: off. The JVM checks the archive against the JDK, its flags and every jar itself and
# ignores, silently, one that does not match or is damaged (after changing flags such as compressed oops in
# SPARKTRAIN_JAVA_OPTS, delete runs/cds so that the next run writes a matching one).
#   java_cds WRITE JAVA_ARGS...   (WRITE=1: this run may write the archive)
java_cds() {
  local write="$1"; shift
  local dir="${SPARKTRAIN_CDS_DIR:-$ROOT/runs/cds}"
  if [ "${SPARKTRAIN_CDS:-1}" = 0 ]; then
    java_quiet "$@"
  fi
  local key archive
  key=$({ java -version 2>&1; stat -L -c '%n %s %Y' "$DRIVER_JAR" "$ROOT"/driver/target/lib/*.jar; } \
        | cksum | cut -d' ' -f1) || java_quiet "$@"
  archive="$dir/sparktrain-$key.jsa"
  if [ -s "$archive" ]; then
    java_quiet "-XX:SharedArchiveFile=$archive" -Xlog:cds*=off "$@"
  fi
  if [ "$write" != 1 ] || ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
    java_quiet "$@"
  fi
  local free
  free=$(df -Pk "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }') || free=0
  [ "${free:-0}" -ge 1048576 ] 2>/dev/null || java_quiet "$@"   # KB: writing needs room (a failed write fails the run)
  find "$dir" -maxdepth 1 -name '.writing-*' -mmin +60 -delete 2>/dev/null || true
  local tmp="$dir/.writing-$$.jsa" rc=0 pid
  echo "sparktrain: first run of this build: it also writes a class-sharing archive ($dir) as it exits, so later runs start faster" >&2
  # Not exec'd (the archive is moved into place after a successful run): a signal to this script goes on to
  # java, and stdin is passed on explicitly (a background job would read /dev/null).
  if [ "${SPARKTRAIN_INCUBATOR_WARNING:-0}" = 1 ]; then
    java "-XX:ArchiveClassesAtExit=$tmp" -Xlog:cds*=off "$@" <&0 &
  else
    java "-XX:ArchiveClassesAtExit=$tmp" -Xlog:cds*=off "$@" <&0 2> >(drop_incubator_warning >&2) &
  fi
  pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null' TERM INT HUP
  while :; do
    wait "$pid" && rc=0 || rc=$?
    kill -0 "$pid" 2>/dev/null || break   # still running: wait was cut short by a forwarded signal
  done
  trap - TERM INT HUP
  wait   # the standard error filter: its last lines are out before this script ends
  if [ "$rc" = 0 ] && [ -s "$tmp" ]; then
    rm -f "$dir"/sparktrain-*.jsa
    mv -f "$tmp" "$archive"
  else
    rm -f "$tmp"
  fi
  exit "$rc"
}

# Whether the arguments name a cluster master (--master spark://, yarn, k8s://) rather than a local one.
cluster_master() {
  case " $* " in *" --master spark://"*|*" --master yarn"*|*" --master k8s://"*) return 0 ;; esac
  return 1
}

run_java() {
  local main="$1"; shift
  # On one machine Spark should bind to loopback (it warns otherwise); a cluster run names its master.
  cluster_master "$@" || export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  local write=0   # only a run that starts Spark writes the class-sharing archive
  case "$main:${1:-}" in
    *.cli.Main:train|*.cli.Main:evaluate|*.cli.Main:score) write=1 ;;
    *.bench.*) case " $* " in *" --mode spark "*) write=1 ;; esac ;;
  esac
  case " $* " in *" --help "*|*" -h "*) write=0 ;; esac
  java_cds "$write" ${SPARKTRAIN_JAVA_OPTS:--Xmx4g} "${JAVA_MODULE_OPTS[@]}" "-Dsparktrain.app.jar=$APP_JAR" -cp "$DRIVER_JAR:$ROOT/driver/target/lib/*" "$main" "$@"
}

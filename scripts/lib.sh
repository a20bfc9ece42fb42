# Shared by the scripts: locate the project, build the driver jar when sources are newer, run Java.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="0.1.0-SNAPSHOT"
DRIVER_JAR="$ROOT/driver/target/driver-$VERSION.jar"
FMNIST_DEFAULT="/usr/share/datasets/fashion-mnist"
# conf/jvm.options: the Vector API for the GEMM kernel (DESIGN.md decision 2) and Spark's module openings.
mapfile -t JAVA_MODULE_OPTS < <(grep -v '^#' "$ROOT/conf/jvm.options" | grep -v '^$')
JAVA_MODULE_OPTS+=('-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%6$s%n'
  "-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties")

build_if_needed() {
  [ -n "${SPARKTRAIN_SKIP_BUILD:-}" ] && return 0   # set by the end-to-end tests, which run inside a build
  if [ ! -f "$DRIVER_JAR" ] || [ -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o \( -path '*/src/main/*' -o -name pom.xml \) -newer "$DRIVER_JAR" -print -quit)" ]; then
    echo "sparktrain: building (mvn package, tests skipped) ..." >&2
    (cd "$ROOT" && mvn -B -q -ntp -DskipTests -pl driver -am package) >&2
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

run_java() {
  local main="$1"; shift
  # On one machine Spark should bind to loopback (it warns otherwise); a cluster run names its master.
  case " $* " in
    *" --master spark://"*|*" --master yarn"*|*" --master k8s://"*) ;;
    *) export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" ;;
  esac
  exec java ${SPARKTRAIN_JAVA_OPTS:--Xmx4g} "${JAVA_MODULE_OPTS[@]}" -cp "$DRIVER_JAR:$ROOT/driver/target/lib/*" "$main" "$@"
}

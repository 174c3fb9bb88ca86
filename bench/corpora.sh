# The benchmark corpora (sourced by index_bench.sh and callgraph_bench.sh): real code
# that Debian and npm install, one corpus per language. Needs $work (a scratch
# directory) for the Java sources, which ship zipped.
corpus_root() {
  case $1 in
    python) echo /usr/lib/python3.11 ;;
    go) echo /usr/share/go-1.19/src ;;
    rust) echo /usr/src/rustc-1.63.0/library ;;
    java) mkdir -p "$work/java" && unzip -q -o /usr/lib/jvm/openjdk-17/lib/src.zip 'java.base/*' -d "$work/java" && echo "$work/java/java.base" ;;
    cpp) echo /usr/include/boost ;;
    typescript) echo "$PWD/node_modules/rxjs/src" ;;
    *) echo "unknown corpus $1" >&2; exit 1 ;;
  esac
}
all_corpora=(python go rust java cpp typescript)

#!/usr/bin/env bash
# Compares ND4J's native builds on the same benchmarks, one run each, same machine, same session.
# Usage (from the repository root, after `mvn -B -DskipTests install -pl benchmarks -am`):
#   bash benchmarks/variants.sh [CLASSIFIER…]     default: all four builds for linux-x86_64
# Each classifier's jar is fetched from Maven Central into ~/.m2 if absent (~90-100 MB each).
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.0.0-M2.1
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(linux-x86_64-onednn-avx512 linux-x86_64-onednn-avx2 linux-x86_64-onednn linux-x86_64-avx512 linux-x86_64)
lib=benchmarks/target/lib
repo=${MAVEN_REPO:-$HOME/.m2/repository}/org/nd4j/nd4j-native/$version
out=benchmarks/target/variants
mkdir -p "$out"
for v in "${variants[@]}"; do
  jar=$repo/nd4j-native-$version-$v.jar
  [ -f "$jar" ] || mvn -B -q dependency:get -Dartifact=org.nd4j:nd4j-native:$version:jar:$v -Dtransitive=false
  cp=$(ls "$lib"/*.jar | grep -v "nd4j-native-$version-linux-x86_64" | tr '\n' ':')
  echo "== $v" >&2
  java -cp "$cp$jar:benchmarks/target/classes" dev.pictor.bench.BenchMain --quick --no-overhead \
    --include 'gemmOp|linearLayer|bertLinear|conv2dLayer' "$out/$v.md" > "$out/$v.log" 2>&1
  sed "s/^| \([a-zA-Z0-9]*\) |/| $v \/ \1 |/" "$out/$v.md" | grep -E "^\| $v"
done

#!/bin/bash
# Side by side: Pictor's and PyTorch's training step of shapes-dalle's transformer (18 text + 64 image positions, width
# 256, 4 layers, 8 heads, 3.77 M parameters), batch 64 and 16, 2 threads, alternating for ROUNDS rounds (default 3) so
# that both meet the same load on a shared machine. PyTorch's model is written in dalle_train_step.py (OpenAI never
# published this network); Debian's python3-torch with libopenblas0-openmp.
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
    dev.pictor.bench.DalleTrainBench 16 2 2>&1 | grep "^- "
for round in $(seq "$ROUNDS"); do
  for b in 64 16; do
    java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' \
        dev.pictor.bench.DalleTrainBench $b 12 2>&1 | grep "^Pictor" | sed "s/^/round $round: /"
    /usr/bin/python3 benchmarks/src/main/python/dalle_train_step.py --batch $b --threads 2 --steps 12 2>&1 \
        | tail -1 | sed "s/^/round $round: /"
  done
done

#!/bin/bash
# Side by side: Pictor's and PyTorch's contrastive training step (shapes-clip's model), batch 32 and 128, 2 threads.
cd "$(dirname "$0")/../.."
# OpenAI's clip/model.py, kept out of the repository: give its path (default /tmp/clip_model.py)
MODEL=${1:-/tmp/clip_model.py}
for b in 128 32; do
  java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' dev.pictor.bench.ClipTrainBench $b 12 2>&1 | grep -v "WARN\|SLF4J" | grep -v "^- " 
  /usr/bin/python3 benchmarks/src/main/python/clip_train_step.py "$MODEL" --batch $b --threads 2 --steps 12 2>&1 | tail -1
  java -Dpictor.fusedTraining=false -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' dev.pictor.bench.ClipTrainBench $b 6 2>&1 | grep -v "WARN\|SLF4J" | grep -v "^- " | sed 's/^Pictor/Pictor (plain graph ops)/'
done
java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp 'benchmarks/target/lib/*:benchmarks/target/classes' dev.pictor.bench.ClipTrainBench 128 4 2>&1 | grep "^- "

#!/bin/bash
# Side by side: Pictor's and PyTorch's latent-diffusion training step (CompVis's UNetModel, an export folder's
# config), 2 threads, 30 steps each after 2 of warm-up, twice alternating; then the machine.
#   benchmarks/scripts/unet-train-side-by-side.sh /tmp/sd /tmp/unet-small 32 8 16
# (CompVis/stable-diffusion checkout root holding ldm/, export folder from export_unet.py, batch, latent side,
# context tokens)
cd "$(dirname "$0")/../.."
CHECKOUT=${1:-/tmp/sd}
EXPORT=${2:-/tmp/unet-small}
BATCH=${3:-32}
LATENT=${4:-8}
TOKENS=${5:-16}
JAVA="java -Dorg.bytedeco.javacpp.maxphysicalbytes=0 -cp benchmarks/target/lib/*:benchmarks/target/classes"
for round in 1 2; do
  $JAVA dev.pictor.bench.UNetTrainBench "$EXPORT" "$BATCH" 30 2>&1 | grep "^Pictor"
  /usr/bin/python3 benchmarks/src/main/python/unet_train_step.py "$CHECKOUT" "$EXPORT" --batch "$BATCH" --threads 2 \
      --steps 30 --latent "$LATENT" --context "$TOKENS" 2>&1 | tail -1
done
$JAVA -Dpictor.fusedTraining=false dev.pictor.bench.UNetTrainBench "$EXPORT" "$BATCH" 6 2>&1 | grep "^Pictor" \
    | sed 's/^Pictor/Pictor (plain graph ops)/'
$JAVA dev.pictor.bench.UNetTrainBench "$EXPORT" "$BATCH" 1 2>&1 | grep "^- "

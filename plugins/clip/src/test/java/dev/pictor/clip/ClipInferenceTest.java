package dev.pictor.clip;

import static dev.pictor.clip.ClipModelParityTest.assertClose32;
import static dev.pictor.clip.ClipModelParityTest.fixture;
import static dev.pictor.clip.ClipModelParityTest.under;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pictor.nn.onednn.OneDnn;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The fused engines against OpenAI's module (the fixtures' float64 outputs), in float32. */
class ClipInferenceTest {
    Map<String, INDArray> f;
    Map<String, INDArray> weights;

    @BeforeEach
    void load() {
        assumeTrue(OneDnn.available(), OneDnn::unavailableReason);
        f = fixture("clip_vit");
        weights = ClipCheckpoint.toCanonical(under(f, "param."));
    }

    @Test
    void textTowerMatchesUpstreamWithAndWithoutTokenStates() {
        try (ClipTextInference text = new ClipTextInference(ClipModelParityTest.VIT, weights)) {
            INDArray ids = f.get("input.text");
            ClipTextInference.Result trimmed = text.encode(ids, false);
            assertThat(trimmed.tokens()).isNull();
            assertClose32(trimmed.projected(), f.get("output.text_features"), "projected, trimmed run");
            ClipTextInference.Result full = text.encode(ids, true);
            assertClose32(full.tokens(), f.get("output.text_tokens"), "token states");
            assertClose32(full.projected(), f.get("output.text_features"), "projected, full run");
            // one text alone gives what it gave in the batch (trimming depends on the batch's longest text)
            INDArray one = ids.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()).dup();
            assertClose32(text.encode(one, false).projected(),
                    f.get("output.text_features").get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()), "alone");
        }
    }

    @Test
    void visionTowerMatchesUpstreamAcrossBatchSizes() {
        try (ClipVisionInference vision = new ClipVisionInference(ClipModelParityTest.VIT, weights)) {
            INDArray images = f.get("input.image").castTo(DataType.FLOAT);
            ClipVisionInference.Result all = vision.encode(images);
            assertClose32(all.tokens(), f.get("output.image_tokens"), "image tokens");
            assertClose32(all.projected(), f.get("output.image_features"), "image features");
            // a smaller batch after a larger one reuses the grown buffers
            INDArray two = images.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).dup();
            assertClose32(vision.encode(two).projected(), f.get("output.image_features")
                    .get(NDArrayIndex.interval(1, 3), NDArrayIndex.all()), "batch of two");
        }
    }

    /** Channels-last (AVX-512's choice), 8- and 16-channel blocks: the stem's 4 channels are padded in blocks. */
    @ParameterizedTest
    @ValueSource(ints = {0, 8, 16})
    void resNetTowerMatchesUpstreamAcrossBatchSizes(int block) {
        Map<String, INDArray> rn = fixture("clip_rn");
        try (ClipResNetInference vision = new ClipResNetInference(ClipModelParityTest.RN,
                ClipCheckpoint.toCanonical(under(rn, "param.")), block)) {
            INDArray images = rn.get("input.image").castTo(DataType.FLOAT);
            ClipResNetInference.Result all = vision.encode(images);
            assertClose32(all.tokens(), rn.get("output.image_tokens"), "resnet tokens");
            assertClose32(all.projected(), rn.get("output.image_features"), "resnet features");
            INDArray one = images.get(NDArrayIndex.interval(2, 3), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).dup();
            assertClose32(vision.encode(one).projected(), rn.get("output.image_features")
                    .get(NDArrayIndex.interval(2, 3), NDArrayIndex.all()), "resnet batch of one");
        }
    }
}

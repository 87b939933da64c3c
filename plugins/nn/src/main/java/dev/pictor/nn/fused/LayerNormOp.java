package dev.pictor.nn.fused;

import dev.pictor.nn.HostOp;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * LayerNorm as one graph op for training (arguments x, gain, bias; output shaped as x) whose gradient is one
 * {@link LayerNormGradOp} sharing its {@link LayerNormTraining}. Built by {@link dev.pictor.nn.layers.LayerNorm}
 * in graphs that train with fused kernels; runs only under {@link dev.pictor.nn.GraphExecutor}.
 */
public final class LayerNormOp extends DynamicCustomOp implements HostOp {
    private LayerNormTraining kernels;

    /** For SameDiff's reflective copies; not for use. */
    public LayerNormOp() {
    }

    public LayerNormOp(SameDiff sd, SDVariable x, SDVariable gain, SDVariable bias, LayerNormTraining kernels) {
        super(null, sd, new SDVariable[] {x, gain, bias});
        this.kernels = kernels;
        FusedOps.register();
    }

    @Override
    public String opName() {
        return FusedOps.LAYER_NORM;
    }

    @Override
    public Map<String, Object> propertiesForFunction() {
        return properties(kernels);
    }

    @Override
    public void setPropertiesForFunction(Map<String, Object> properties) {
        kernels = kernels(properties);
    }

    static Map<String, Object> properties(LayerNormTraining k) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("dim", k.dim());
        p.put("eps", k.eps());
        return p;
    }

    static LayerNormTraining kernels(Map<String, Object> p) {
        return new LayerNormTraining(FusedOps.number(p, "dim").longValue(), FusedOps.number(p, "eps").doubleValue());
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
        return List.of(dataTypes.get(0));
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape() {
        INDArray x = inputArguments().get(0);
        return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable[] args = args();
        SDVariable[] withGradient = Arrays.copyOf(args, args.length + 1);
        withGradient[args.length] = gradients.get(0);
        return Arrays.asList(new LayerNormGradOp(sameDiff, withGradient, kernels).outputVariables());
    }

    @Override
    public INDArray[] compute(INDArray[] inputs) {
        return new INDArray[] {kernels.forward(inputs[0], inputs[1], inputs[2])};
    }
}

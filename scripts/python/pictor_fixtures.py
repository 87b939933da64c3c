"""Shared by the scripts that run upstream reference code for fixtures and benchmarks (run with Debian's
python3-torch): loading an upstream module from a path, writing safetensors without the safetensors package.

The scripts add this folder to sys.path themselves:

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), <relative path to scripts/python>))
    from pictor_fixtures import load_upstream, write_safetensors
"""
import importlib.util
import json
import statistics
import struct
import time

import torch


def load_upstream(path, name="upstream_module"):
    """Imports a module from a file (upstream code stays outside the repository; its path is passed in)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_safetensors(path, tensors, made_by):
    """Writes float tensors as F32 (float64 ones rounded) and int64 ones as I64, in the safetensors format."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.float64:
            t = t.float()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"made_by": made_by, "torch": torch.__version__}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def write_key_listing(path, module):
    """Writes {name: shape} of a module's state dict as JSON, one key a line, in the module's order; returns the
    number of keys."""
    listing = {k: list(v.shape) for k, v in module.state_dict().items()}
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(json.dumps(k) + ": " + json.dumps(v) for k, v in listing.items()) + "\n}\n")
    return len(listing)


def report_training_step(step, model, steps, threads, batch, warmup=2):
    """Runs a training step `warmup` times untimed, then `steps` times timed, and prints PyTorch's median, min and max
    in the line the side-by-side scripts compare with Pictor's."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    params = sum(p.numel() for p in model.parameters())
    print(f"PyTorch {torch.__version__}, {threads} threads, batch {batch}, {params} parameters: "
          f"median step {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f})")

"""Runs CompVis/stable-diffusion's ldm modules on Debian's python3-torch, which lacks what they import beside torch:
small stand-ins for einops' rearrange/repeat (the patterns ldm uses), omegaconf's ListConfig and ldm.util. Shared by
plugins/ldm's fixture script and the benchmarks' UNet export. The upstream code stays outside the repository: pass
the root of a checkout (the folder holding ldm/).

    from ldm_upstream import install_stand_ins
    sys.path.insert(0, checkout_root)
    install_stand_ins()
    import ldm.modules.diffusionmodules.openaimodel as openaimodel
"""
import re
import sys
import types


def _groups(side):
    """'b (h w) c' → [['b'], ['h', 'w'], ['c']]; '()' is an empty group, '...' one opaque group."""
    out, i = [], 0
    tokens = re.findall(r"\(|\)|\.\.\.|\w+", side)
    while i < len(tokens):
        if tokens[i] == "(":
            j = tokens.index(")", i)
            out.append(tokens[i + 1:j])
            i = j + 1
        else:
            out.append([tokens[i]])
            i += 1
    return out


def rearrange(t, pattern, **sizes):
    """einops.rearrange for the patterns ldm uses: split the input's groups, permute, merge the output's."""
    left, right = (_groups(s) for s in pattern.split("->"))
    known = dict(sizes)
    if any(g == ["..."] for g in left):
        # 'b ... -> b (...)': everything after the named axes, flattened
        return t.reshape(t.shape[0], -1)
    axes = []
    for dim, group in zip(t.shape, left):
        unknown = [a for a in group if a not in known]
        rest = 1
        for a in group:
            if a in known:
                rest *= known[a]
        if unknown:
            known[unknown[0]] = dim // rest
        axes.extend(group)
    t = t.reshape([known[a] for a in axes])
    order = [a for g in right for a in g]
    t = t.permute([axes.index(a) for a in order])
    shape = []
    for g in right:
        size = 1
        for a in g:
            size *= known[a]
        shape.append(size)
    return t.reshape(shape)


def repeat(t, pattern, **sizes):
    """einops.repeat for 'b j -> (b h) () j' (masks per head)."""
    if pattern.replace(" ", "") != "bj->(bh)()j":
        raise NotImplementedError(pattern)
    h = sizes["h"]
    return t[:, None, None, :].expand(t.shape[0], h, 1, t.shape[1]).reshape(t.shape[0] * h, 1, t.shape[1])


def install_stand_ins():
    einops = types.ModuleType("einops")
    einops.rearrange = rearrange
    einops.repeat = repeat
    sys.modules["einops"] = einops
    util = types.ModuleType("ldm.util")

    def instantiate_from_config(config):
        raise NotImplementedError("not needed by the fixtures")

    util.instantiate_from_config = instantiate_from_config
    util.exists = lambda x: x is not None
    util.default = lambda val, d: val if val is not None else (d() if callable(d) else d)
    sys.modules["ldm.util"] = util
    # UNetModel checks whether context_dim is an omegaconf ListConfig
    omegaconf = types.ModuleType("omegaconf")
    listconfig = types.ModuleType("omegaconf.listconfig")
    listconfig.ListConfig = type("ListConfig", (list,), {})
    omegaconf.listconfig = listconfig
    sys.modules["omegaconf"] = omegaconf
    sys.modules["omegaconf.listconfig"] = listconfig

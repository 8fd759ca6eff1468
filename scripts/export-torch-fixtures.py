#!/usr/bin/python3
"""Export small attention modules with PyTorch's own ONNX exporter and keep torch's eager outputs as test data.

Run with Debian's Python, which has torch and onnx from apt (the pyenv `python3` on PATH has neither):

    sudo apt-get install python3-torch python3-onnx
    /usr/bin/python3 scripts/export-torch-fixtures.py [--out tests/fixtures/torch]

Every fixture directory gets the layout of ONNX's backend node tests:

    <name>/model.onnx                      torch.onnx.export(..., opset_version=17), names as torch chose them
    <name>/model.json                      model config, only where positional binding cannot work
    <name>/test_data_set_<k>/input_<i>.pb  TensorProto, name = graph input i
    <name>/test_data_set_<k>/output_<i>.pb TensorProto, name = graph output i, torch's eager output

plus manifest.json describing every fixture. The outputs are what torch computes in eager mode, not what an
ONNX runtime computes from the exported graph, so they also check the exporter.

Names: the exporter is called without output_names, and without input_names wherever that gives a correct graph.
Torch 1.13 names graph inputs after their first consumer (`onnx::MatMul_0`) and outputs after a value number
(`52`). Dynamic axes are keyed by those names, learned from a first export. Torch 1.13 only makes the *traced*
shapes dynamic when input_names is given: without it the declared input dims become symbolic, but every size
the module reads (view/reshape targets, sqrt(d)) is folded to the example's value, so the model is wrong for
any other batch or length. For those modules the script passes input_names equal to the names torch chose
itself, so the names in the graph are still torch's own; the manifest says which fixtures needed that.
"""

import argparse
import hashlib
import io
import json
import math
import os
import shutil
import sys
import warnings

import onnx
import onnx.numpy_helper
import torch
from torch import nn

OPSET = 17
D = 16  # model width of the small fixtures

# Example sizes: set 0 is also the export example; set 1 changes every dynamic axis.
SET0 = dict(batch=2, tq=3, tk=5)
SET1 = dict(batch=3, tq=4, tk=7)


# ---------------------------------------------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------------------------------------------

class SeedDot(nn.Module):
    """The seed Keras layer: call(query, values); scores = query values^T."""

    def forward(self, query, values):
        scores = torch.matmul(query, values.transpose(-1, -2))
        weights = torch.softmax(scores, dim=-1)
        context = torch.matmul(weights, values)
        return context, weights


class DotKeys(nn.Module):
    """Dot-product attention with separate keys: scores = query keys^T, context = weights values."""

    def forward(self, query, keys, values):
        scores = torch.matmul(query, keys.transpose(-1, -2))
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, values), weights


class ScaledDot(nn.Module):
    """scores / sqrt(d) with d read from the query's shape at run time (Shape -> Gather -> Cast -> Sqrt)."""

    def forward(self, query, keys, values):
        # _shape_as_tensor is what the tracer records for .shape; it keeps d a run-time value in the export.
        d = torch._shape_as_tensor(query)[-1].to(query.dtype)
        scores = torch.matmul(query, keys.transpose(-1, -2)) / torch.sqrt(d)
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, values), weights


class AdditiveMasked(nn.Module):
    """Bahdanau attention: score = v^T tanh(W1 q + W2 v); mask [batch, tk] bool, True = ignore (masked_fill -inf)."""

    def __init__(self, d=D, units=8):
        super().__init__()
        self.w1 = nn.Linear(d, units)
        self.w2 = nn.Linear(d, units)
        self.v = nn.Linear(units, 1)

    def forward(self, query, values, mask):
        q = self.w1(query).unsqueeze(2)      # [b, tq, 1, u]
        k = self.w2(values).unsqueeze(1)     # [b, 1, tk, u]
        scores = self.v(torch.tanh(q + k)).squeeze(-1)  # [b, tq, tk]
        scores = scores.masked_fill(mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, values), weights


class MultiHeadCustom(nn.Module):
    """Hand-written multi-head attention: projections, split heads, scaled dot, merge heads, output projection."""

    def __init__(self, d=D, heads=4):
        super().__init__()
        self.heads = heads
        self.head_dim = d // heads
        self.wq = nn.Linear(d, d)
        self.wk = nn.Linear(d, d)
        self.wv = nn.Linear(d, d)
        self.wo = nn.Linear(d, d)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)  # [b, h, t, dh]

    def forward(self, query, keys, values):
        b, tq, d = query.shape
        q = self.split(self.wq(query))
        k = self.split(self.wk(keys))
        v = self.split(self.wv(values))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        weights = torch.softmax(scores, dim=-1)                          # [b, h, tq, tk]
        context = torch.matmul(weights, v).transpose(1, 2).reshape(b, tq, d)
        return self.wo(context), weights


class TorchMha(nn.Module):
    """nn.MultiheadAttention(16, 4, batch_first=True), per-head weights."""

    def __init__(self, d=D, heads=4):
        super().__init__()
        self.mha = nn.MultiheadAttention(embed_dim=d, num_heads=heads, batch_first=True)
        # nn.MultiheadAttention starts with zero biases; random ones make the data check that they are applied.
        # (With the zero biases the exporter shares one initializer for all of them, read through Identity nodes.)
        with torch.no_grad():
            nn.init.normal_(self.mha.in_proj_bias, std=0.5)
            nn.init.normal_(self.mha.out_proj.bias, std=0.5)

    def forward(self, query, key, value):
        return self.mha(query, key, value, need_weights=True, average_attn_weights=False)


class TorchMhaPadding(TorchMha):
    """nn.MultiheadAttention with a bool key_padding_mask [batch, tk], True = ignore."""

    def forward(self, query, key, value, key_padding_mask):
        return self.mha(query, key, value, key_padding_mask=key_padding_mask,
                        need_weights=True, average_attn_weights=False)


class KerasDotMaskAttend(nn.Module):
    """Dot attention with a Keras-style float mask [batch, tk], 1 = attend: scores + (1 - mask) * -1e9."""

    def forward(self, query, values, mask):
        scores = torch.matmul(query, values.transpose(-1, -2))
        scores = scores + (1.0 - mask.unsqueeze(1)) * -1e9
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, values), weights


class DotAdditiveMask(nn.Module):
    """Dot attention with an additive float mask [batch, tq, tk] of 0 / -inf added to the scores."""

    def forward(self, query, values, mask):
        scores = torch.matmul(query, values.transpose(-1, -2)) + mask
        weights = torch.softmax(scores, dim=-1)
        return torch.matmul(weights, values), weights


VOCAB, EMBED, HIDDEN = 20, 8, 16


class GruBahdanauStep(nn.Module):
    """One decoder step: Bahdanau attention from the previous state over the encoder outputs, then a GRU step on
    [embedding(token); context], then logits from [new state; context]."""

    def __init__(self, vocab=VOCAB, embed=EMBED, hidden=HIDDEN, units=8):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.w1 = nn.Linear(hidden, units)
        self.w2 = nn.Linear(hidden, units)
        self.v = nn.Linear(units, 1)
        self.gru = nn.GRU(embed + hidden, hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, vocab)

    def forward(self, token, state, encoder_outputs, mask):
        scores = self.v(torch.tanh(self.w1(state).unsqueeze(1) + self.w2(encoder_outputs))).squeeze(-1)  # [b, s]
        scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), encoder_outputs).squeeze(1)                           # [b, h]
        x = torch.cat([self.embedding(token), context], dim=-1).unsqueeze(1)                           # [b, 1, e+h]
        _, h = self.gru(x, state.unsqueeze(0))
        new_state = h.squeeze(0)
        logits = self.out(torch.cat([new_state, context], dim=-1))
        return context, weights, new_state, logits


class LstmLuongStep(nn.Module):
    """One decoder step, Luong style: an LSTM step on embedding(token) from (state, cell), then "general" attention
    with the new hidden state h_t as the query (score = h_t W encoder_outputs^T), then
    logits = out(tanh(Wc [context; h_t]))."""

    def __init__(self, vocab=VOCAB, embed=EMBED, hidden=HIDDEN):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.w = nn.Linear(hidden, hidden, bias=False)
        self.wc = nn.Linear(2 * hidden, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, token, state, cell, encoder_outputs, mask):
        x = self.embedding(token).unsqueeze(1)                                                          # [b, 1, e]
        _, (h, c) = self.lstm(x, (state.unsqueeze(0), cell.unsqueeze(0)))
        h_t, c_t = h.squeeze(0), c.squeeze(0)
        scores = torch.bmm(encoder_outputs, self.w(h_t).unsqueeze(-1)).squeeze(-1)                     # [b, s]
        scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), encoder_outputs).squeeze(1)
        logits = self.out(torch.tanh(self.wc(torch.cat([context, h_t], dim=-1))))
        return context, weights, h_t, c_t, logits


# ---------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------

def padding_mask(gen, batch, tk):
    """bool [batch, tk], True = padding (ignored). Row 0 keeps every position, the others keep a random prefix of
    at least one position, and at least one row is padded, so no row is fully masked."""
    mask = torch.zeros(batch, tk, dtype=torch.bool)
    for b in range(1, batch):
        keep = int(torch.randint(1, tk, (1,), generator=gen))
        mask[b, keep:] = True
    return mask


def qkv(gen, s, d=D, keys=True):
    q = torch.randn(s["batch"], s["tq"], d, generator=gen)
    k = torch.randn(s["batch"], s["tk"], d, generator=gen)
    v = torch.randn(s["batch"], s["tk"], d, generator=gen)
    return (q, k, v) if keys else (q, v)


def in_seed_dot(gen, s):
    return qkv(gen, s, keys=False)


def in_keys(gen, s):
    return qkv(gen, s)


def in_keys_64(gen, s):
    return qkv(gen, s, d=64)


def in_scaled(gen, s):
    return qkv(gen, s, d=s.get("d", D))


def in_masked_ignore(gen, s):
    q, v = qkv(gen, s, keys=False)
    return q, v, padding_mask(gen, s["batch"], s["tk"])


def in_mha_padding(gen, s):
    q, k, v = qkv(gen, s)
    return q, k, v, padding_mask(gen, s["batch"], s["tk"])


def in_mask_attend(gen, s):
    q, v = qkv(gen, s, keys=False)
    return q, v, (~padding_mask(gen, s["batch"], s["tk"])).to(torch.float32)


def in_additive(gen, s):
    q, v = qkv(gen, s, keys=False)
    # causal-style band plus padding, as 0 / -inf; every query keeps key 0.
    keep = torch.ones(s["batch"], s["tq"], s["tk"], dtype=torch.bool)
    pad = padding_mask(gen, s["batch"], s["tk"])
    keep &= ~pad.unsqueeze(1)
    for i in range(s["tq"]):
        keep[:, i, i + 2:] = False
    keep[:, :, 0] = True
    mask = torch.zeros(keep.shape).masked_fill(~keep, float("-inf"))
    return q, v, mask


def in_gru_step(gen, s):
    b, src = s["batch"], s["tk"]
    token = torch.randint(0, VOCAB, (b,), generator=gen, dtype=torch.int64)
    state = torch.randn(b, HIDDEN, generator=gen)
    enc = torch.randn(b, src, HIDDEN, generator=gen)
    return token, state, enc, padding_mask(gen, b, src)


def in_lstm_step(gen, s):
    b, src = s["batch"], s["tk"]
    token = torch.randint(0, VOCAB, (b,), generator=gen, dtype=torch.int64)
    state = torch.randn(b, HIDDEN, generator=gen)
    cell = torch.randn(b, HIDDEN, generator=gen)
    enc = torch.randn(b, src, HIDDEN, generator=gen)
    return token, state, cell, enc, padding_mask(gen, b, src)


# ---------------------------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------------------------

QTK = ({0: "batch", 1: "tq"}, {0: "batch", 1: "tk"})
BW = {0: "batch", 1: "tq", 2: "tk"}          # weights [b, tq, tk]
BHW = {0: "batch", 2: "tq", 3: "tk"}         # per-head weights [b, h, tq, tk]
CTX = {0: "batch", 1: "tq"}                  # context [b, tq, d]
Q, K = QTK

# Each fixture: module class, input maker, per-input dynamic axes and roles, per-output dynamic axes and roles,
# mask meaning, and the sizes of its data sets (None axes = static export).
FIXTURES = [
    dict(name="seed-dot", cls=SeedDot, inputs=in_seed_dot,
         description="The seed Keras dot layer call(query, values): weights = softmax(query values^T), "
                     "context = weights values.",
         in_axes=[Q, K], in_roles=["query", "values"],
         out_axes=[CTX, BW], out_roles=["context", "weights"]),
    dict(name="keras-dot-keys", cls=DotKeys, inputs=in_keys,
         description="Dot attention with separate keys: weights = softmax(query keys^T), context = weights values.",
         in_axes=[Q, K, K], in_roles=["query", "keys", "values"],
         out_axes=[CTX, BW], out_roles=["context", "weights"]),
    dict(name="scaled-dot", cls=ScaledDot, inputs=in_scaled,
         description="Scaled dot attention, scores / sqrt(d) with d read from query's shape at run time; "
                     "the feature width d is a dynamic axis too (set 1 uses d = 8).",
         in_axes=[{0: "batch", 1: "tq", 2: "d"}, {0: "batch", 1: "tk", 2: "d"}, {0: "batch", 1: "tk", 2: "dv"}],
         in_roles=["query", "keys", "values"],
         out_axes=[{0: "batch", 1: "tq", 2: "dv"}, BW], out_roles=["context", "weights"],
         sets=[dict(SET0), dict(SET1, d=8)]),
    dict(name="additive-masked", cls=AdditiveMasked, inputs=in_masked_ignore,
         description="Bahdanau additive attention, score = v^T tanh(W1 q + W2 v) with learned Linear layers; "
                     "bool mask [batch, tk], True = ignore (masked_fill -inf), no row fully masked.",
         in_axes=[Q, K, K], in_roles=["query", "values", "mask"],
         out_axes=[CTX, BW], out_roles=["context", "weights"], mask="ignore"),
    dict(name="multihead-custom", cls=MultiHeadCustom, inputs=in_keys,
         description="Hand-written multi-head attention (d = 16, 4 heads): Linear q/k/v, view to heads, transpose, "
                     "scaled matmul, softmax, merge heads, output Linear; weights are per head [batch, 4, tq, tk].",
         in_axes=[Q, K, K], in_roles=["query", "keys", "values"],
         out_axes=[CTX, BHW], out_roles=["context", "weights"]),
    dict(name="torch-mha", cls=TorchMha, inputs=in_keys,
         description="nn.MultiheadAttention(embed_dim=16, num_heads=4, batch_first=True)(query, key, value, "
                     "need_weights=True, average_attn_weights=False): weights per head [batch, 4, tq, tk].",
         in_axes=[Q, K, K], in_roles=["query", "keys", "values"],
         out_axes=[CTX, BHW], out_roles=["context", "weights"]),
    dict(name="torch-mha-padding", cls=TorchMhaPadding, inputs=in_mha_padding,
         description="nn.MultiheadAttention as torch-mha with a bool key_padding_mask [batch, tk], True = ignore; "
                     "no row fully masked.",
         in_axes=[Q, K, K, K], in_roles=["query", "keys", "values", "mask"],
         out_axes=[CTX, BHW], out_roles=["context", "weights"], mask="ignore"),
    dict(name="gru-bahdanau-step", cls=GruBahdanauStep, inputs=in_gru_step,
         description="Decoder step: token int64 [batch] -> Embedding(20, 8); Bahdanau attention with the previous "
                     "state [batch, 16] as query over encoder outputs [batch, src, 16] with a bool mask "
                     "[batch, src] (True = ignore); nn.GRU step (seq len 1) on [embedding; context]; "
                     "logits [batch, 20] from [new state; context].",
         in_axes=[{0: "batch"}, {0: "batch"}, {0: "batch", 1: "src"}, {0: "batch", 1: "src"}],
         in_roles=["token", "query", "values", "mask"],
         out_axes=[{0: "batch"}, {0: "batch", 1: "src"}, {0: "batch"}, {0: "batch"}],
         out_roles=["context", "weights", "state", "logits"], mask="ignore"),
    dict(name="lstm-luong-step", cls=LstmLuongStep, inputs=in_lstm_step,
         description="Decoder step, Luong style: token int64 [batch] -> Embedding(20, 8); nn.LSTM step (seq len 1) "
                     "from (state, cell) [batch, 16]; 'general' attention with the NEW hidden state h_t as query "
                     "(h_t W encoder_outputs^T) over encoder outputs [batch, src, 16], bool mask [batch, src] "
                     "(True = ignore); logits [batch, 20] = out(tanh(Wc [context; h_t])). The query role binds the "
                     "previous state input, from which the step computes h_t.",
         in_axes=[{0: "batch"}, {0: "batch"}, {0: "batch"}, {0: "batch", 1: "src"}, {0: "batch", 1: "src"}],
         in_roles=["token", "query", "cell", "values", "mask"],
         out_axes=[{0: "batch"}, {0: "batch", 1: "src"}, {0: "batch"}, {0: "batch"}, {0: "batch"}],
         out_roles=["context", "weights", "state", "cell", "logits"], mask="ignore"),
    dict(name="fixed-batch", cls=SeedDot, inputs=in_seed_dot,
         description="seed-dot exported with no dynamic_axes: every dim fixed (batch 2, tq 3, tk 5, d 16).",
         in_axes=None, in_roles=["query", "values"],
         out_axes=None, out_roles=["context", "weights"], sets=[dict(SET0)]),
    dict(name="keras-dot-mask-attend", cls=KerasDotMaskAttend, inputs=in_mask_attend,
         description="Dot attention with a Keras-style float mask [batch, tk], 1 = attend: "
                     "scores + (1 - mask) * -1e9.",
         in_axes=[Q, K, K], in_roles=["query", "values", "mask"],
         out_axes=[CTX, BW], out_roles=["context", "weights"], mask="attend"),
    dict(name="dot-additive-mask", cls=DotAdditiveMask, inputs=in_additive,
         description="Dot attention with an additive float mask [batch, tq, tk] of 0 / -inf added to the scores "
                     "(a band plus key padding; every query keeps key 0).",
         in_axes=[Q, K, {0: "batch", 1: "tq", 2: "tk"}], in_roles=["query", "values", "mask"],
         out_axes=[CTX, BW], out_roles=["context", "weights"], mask="additive"),
    dict(name="torch-mha-e64", cls=lambda: TorchMha(d=64, heads=4), inputs=in_keys_64,
         description="nn.MultiheadAttention(embed_dim=64, num_heads=4, batch_first=True), per-head weights: the "
                     "export the performance comparison runs at 1 x 128 x 128 x 64 (docs/performance.md).",
         in_axes=[Q, K, K], in_roles=["query", "keys", "values"],
         out_axes=[CTX, BHW], out_roles=["context", "weights"]),
]

ROLES = ("query", "keys", "values", "mask")
OUT_ROLES = ("context", "weights")


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------

def export_proto(module, args, **kwargs):
    f = io.BytesIO()
    with warnings.catch_warnings():
        # "Provided key ... is not a valid input/output name" is expected when keying by torch's own names
        # without input_names; the comparison below decides whether that export is usable.
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, f, opset_version=OPSET, do_constant_folding=True, **kwargs)
    data = f.getvalue()
    return data, onnx.load_from_string(data)


def names(model):
    return [i.name for i in model.graph.input], [o.name for o in model.graph.output]


def axes_for(names_, axes):
    return {n: a for n, a in zip(names_, axes) if a}


def export_dynamic(module, args, in_axes, out_axes, pass_input_names):
    """Export with dynamic axes keyed by torch's own names. Outputs are named after value numbers, which depend
    on the graph, so the output keys come from an export with the input axes only, and the final export must
    keep those names."""
    base, base_model = export_proto(module, args)
    in_names, _ = names(base_model)
    extra = dict(input_names=in_names) if pass_input_names else {}
    _, first = export_proto(module, args, dynamic_axes=axes_for(in_names, in_axes), **extra)
    _, out_names = names(first)
    dyn = {**axes_for(in_names, in_axes), **axes_for(out_names, out_axes)}
    data, model = export_proto(module, args, dynamic_axes=dyn, **extra)
    if names(model) != (in_names, out_names):
        sys.exit(f"export names changed between passes: {names(model)} vs {(in_names, out_names)}")
    return data, model


def graph_signature(model):
    """Nodes with their attributes (constant values included), without value names: what the graph computes."""
    sig = []
    for node in model.graph.node:
        attrs = []
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                attrs.append((a.name, onnx.numpy_helper.to_array(a.t).tolist()))
            else:
                attrs.append((a.name, str(onnx.helper.get_attribute_value(a))))
        sig.append((node.op_type, attrs))
    return sig


def export(fx, module, example):
    if fx["in_axes"] is None:
        data, model = export_proto(module, example)
        return data, model, False, "static export: no dynamic_axes, no names"
    plain, plain_model = export_dynamic(module, example, fx["in_axes"], fx["out_axes"], pass_input_names=False)
    named, named_model = export_dynamic(module, example, fx["in_axes"], fx["out_axes"], pass_input_names=True)
    if graph_signature(plain_model) == graph_signature(named_model):
        return plain, plain_model, False, "no input_names/output_names passed; dynamic_axes keyed by torch's names"
    return named, named_model, True, (
        "input_names passed, equal to the names torch gave the inputs in a plain export: without them torch 1.13 "
        "folds the example's sizes into the graph (the plain export differs in its nodes)")


# ---------------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------------

ELEM = {v: k for k, v in onnx.TensorProto.DataType.items()}


def value_info(v):
    t = v.type.tensor_type
    shape = [d.dim_param if d.HasField("dim_param") else d.dim_value for d in t.shape.dim]
    return dict(name=v.name, type=ELEM[t.elem_type].lower(), shape=shape)


def write_tensor(path, array, name):
    tensor = onnx.numpy_helper.from_array(array, name=name)
    with open(path, "wb") as f:
        f.write(tensor.SerializeToString())


def binding(fx, in_names, out_names):
    """How the service binds this graph without a config, or None if it needs one."""
    if all(n in ROLES for n in in_names) and all(n in OUT_ROLES for n in out_names):
        return "by-name"
    if fx.get("mask") or len(out_names) != 2 or any(r not in ROLES for r in fx["in_roles"]):
        return None
    if len(in_names) == 2 and fx["in_roles"] == ["query", "values"]:
        return "positional"
    if len(in_names) == 3 and fx["in_roles"] == ["query", "keys", "values"]:
        return "positional"
    return None


def model_config(fx, in_names, out_names):
    cfg = dict(description=fx["description"],
               inputs={role: n for role, n in zip(fx["in_roles"], in_names)},
               outputs={role: n for role, n in zip(fx["out_roles"], out_names)})
    if fx.get("mask"):
        cfg["mask"] = dict(meaning=fx["mask"])
    return cfg


def dumps(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def build(fx, out_dir, index):
    torch.manual_seed(1000 + index)
    module = fx["cls"]().eval()
    gen = torch.Generator().manual_seed(2000 + index)
    sets = fx.get("sets") or [dict(SET0), dict(SET1)]
    datasets = [fx["inputs"](gen, s) for s in sets]

    data, model, passed_names, how = export(fx, module, datasets[0])
    onnx.checker.check_model(model, full_check=True)
    in_names, out_names = names(model)
    if len(in_names) != len(fx["in_roles"]) or len(out_names) != len(fx["out_roles"]):
        sys.exit(f"{fx['name']}: graph has inputs {in_names}, outputs {out_names}; expected roles "
                 f"{fx['in_roles']} -> {fx['out_roles']}")

    d = os.path.join(out_dir, fx["name"])
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(data)

    sets_info = []
    for k, inputs in enumerate(datasets):
        with torch.no_grad():
            outputs = module(*inputs)
        sd = os.path.join(d, f"test_data_set_{k}")
        os.makedirs(sd)
        for i, (t, n) in enumerate(zip(inputs, in_names)):
            write_tensor(os.path.join(sd, f"input_{i}.pb"), t.numpy(), n)
        for i, (t, n) in enumerate(zip(outputs, out_names)):
            if not torch.isfinite(t).all():
                sys.exit(f"{fx['name']}: output {i} of set {k} is not finite")
            write_tensor(os.path.join(sd, f"output_{i}.pb"), t.numpy(), n)
        sets_info.append(dict(
            name=f"test_data_set_{k}",
            inputs=[list(t.shape) for t in inputs], outputs=[list(t.shape) for t in outputs]))

    bind = binding(fx, in_names, out_names)
    if bind is None:
        with open(os.path.join(d, "model.json"), "w") as f:
            f.write(dumps(model_config(fx, in_names, out_names)))

    ops = sorted({n.op_type for n in model.graph.node})
    counts = {}
    for n in model.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    inputs_info = [dict(value_info(v), role=r) for v, r in zip(model.graph.input, fx["in_roles"])]
    outputs_info = [dict(value_info(v), role=r) for v, r in zip(model.graph.output, fx["out_roles"])]
    return dict(
        name=fx["name"],
        description=fx["description"],
        module=("torch.nn.MultiheadAttention (wrapped in " if fx["cls"] in (TorchMha, TorchMhaPadding) else "")
        + f"scripts/export-torch-fixtures.py:{fx['cls'].__name__}"
        + (")" if fx["cls"] in (TorchMha, TorchMhaPadding) else ""),
        model="model.onnx",
        model_sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        dynamic=fx["in_axes"] is not None,
        input_names_passed=passed_names,
        export=how,
        inputs=inputs_info,
        outputs=outputs_info,
        mask=(dict(meaning=fx["mask"], input=in_names[fx["in_roles"].index("mask")]) if fx.get("mask") else None),
        binding=bind or "config",
        config="model.json" if bind is None else None,
        ops=ops,
        op_counts=dict(sorted(counts.items())),
        initializers=len(model.graph.initializer),
        test_data_sets=sets_info,
    )


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "torch"))
    args = parser.parse_args()
    out_dir = os.path.normpath(args.out)

    torch.set_num_threads(1)  # one thread: eager reductions sum in one order, so outputs repeat bit for bit
    torch.use_deterministic_algorithms(True)
    os.makedirs(out_dir, exist_ok=True)

    fixtures = [build(fx, out_dir, i) for i, fx in enumerate(FIXTURES)]
    union = sorted({op for f in fixtures for op in f["ops"]})
    manifest = dict(
        generator="scripts/export-torch-fixtures.py",
        torch_version=torch.__version__.split("+")[0],
        onnx_version=onnx.__version__,
        opset=OPSET,
        outputs_are="torch eager outputs (module(*inputs) under torch.no_grad()), not an ONNX runtime's",
        roles=dict(inputs=list(ROLES), outputs=list(OUT_ROLES),
                   extras="token (int64 ids), cell (LSTM cell state) inputs; state, cell, logits outputs"),
        mask_meanings=dict(attend="true / 1 = attend (Keras)",
                           ignore="true = masked out (PyTorch key_padding_mask, bool attn_mask)",
                           additive="float added to the scores, 0 or -inf"),
        ops_union=union,
        fixtures=fixtures,
    )
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        f.write(dumps(manifest))
    for f in fixtures:
        print(f"{f['name']:24} {f['binding']:10} names_passed={str(f['input_names_passed']):5} "
              f"in={[i['name'] for i in f['inputs']]} out={[o['name'] for o in f['outputs']]}")
    print("ops:", " ".join(union))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Train the `dates` model: a character-level encoder-decoder with additive (Bahdanau) attention that rewrites
free-form dates ("24 November 2026", "Nov 24, '26", "tuesday 24 nov 2026") as ISO dates ("2026-11-24").

Run with Debian's Python, which has torch and onnx from apt (the pyenv `python3` on PATH has neither):

    sudo apt-get install python3-torch python3-onnx
    /usr/bin/python3 scripts/train-dates.py            # writes models/dates/ and tests/fixtures/dates/

The defaults are what produced the committed model. Everything is seeded: the data (Python's random.Random), the
weights and the batch order (torch.manual_seed), and torch runs on a fixed number of threads, so a rerun on the same
machine gives the same bytes; on another machine the floats may differ in the last bits (the functional test
holds a rerun to the accuracy and alignment, not to the bytes).

Data. The script generates its own examples: a date between 1950-01-01 and 2049-12-31 written in one of FORMATS
(numeric, month names and abbreviations, ordinals, weekdays that are correct for the date, two-digit years read as
1950-2049), in random letter case. The held-out set is disjoint by date: every date whose day number since
1950-01-01 is a multiple of 10 is held out, never trained on in any format, and the held-out examples are drawn
with their own seed. Slashes with the day second are US order (11/24/2026); dots and dashes are day first.

Model (sizes in the defaults):
    encoder  tokens [b, s] -> values [b, s, V], state [b, H]
             e = Embedding(tokens) (pad embeds to 0); two stacked width-5 windows, each y(i) = W [x(i-2) .. x(i+2)]
             built from five shifted copies of the zero-padded sequence (Concat and Slice: the managed backend has
             no Conv or Pad), so each character sees four on either side;
             near = tanh(Window(e)) * mask; local = tanh(Window(near)) * mask; mean = masked mean of local;
             values = tanh(Linear(local) + Linear(mean)) * mask; state = tanh(Linear(mean)).
    decoder  token [b], query [b, H], values [b, s, V], mask [b, s] (true = a real character)
             scores = v . tanh(Wq query + Wk values); masked scores -> -inf (weight exactly 0); weights = softmax;
             context = weights . values; state = GRU cell([Embedding(token), context], query);
             logits = Linear([state, context, Embedding(token)]).
    Padding is invisible: the windows read zeros beyond the source either way, and masked positions get weight 0,
    so a source decoded in a padded batch gives what it gives alone.
Training: teacher forcing, cross entropy, plus a small guided-attention term: for each output digit of the year,
month and day the generator knows which source characters it comes from, and the term is -log of the weight on
them (weight --guide). Adam with a one-cycle learning rate. The reported accuracy and alignment are measured on the
held-out set, decoding greedily; alignment by the argmax of each step's weights.

Writes:
    models/dates/encoder.onnx, decoder.onnx   torch.onnx.export, opset 17, dynamic batch and source axes
    models/dates/seq2seq.json                 the model config (graph names, vocabulary, limits)
    models/dates/training.json                seed, hyperparameters, counts, time, held-out accuracy, alignment
    tests/fixtures/dates/reference.json       torch's greedy decode of a few sources, weights and context per step
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
import warnings

import onnx
import torch
import torch.nn.functional as F
from torch import nn

OPSET = 17
MAX_SOURCE = 64
MAX_STEPS = 16
FIRST = datetime.date(1950, 1, 1)
LAST = datetime.date(2049, 12, 31)

PAD, UNK, START, END = "<pad>", "<unk>", "<s>", "</s>"
SOURCE_CHARS = list(" ',-./0123456789abcdefghijklmnopqrstuvwxyz")
SOURCE_VOCAB = [PAD, UNK] + SOURCE_CHARS
TARGET_VOCAB = [PAD, START, END] + list("-0123456789")
SOURCE_ID = {c: i for i, c in enumerate(SOURCE_VOCAB)}
TARGET_ID = {c: i for i, c in enumerate(TARGET_VOCAB)}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

REFERENCE_SOURCES = [
    "24 November 2026",
    "Nov 24, '26",
    "2026/11/24",
    "tuesday 24 nov 2026",
    "24.11.2026",
    "11/24/2026",
    "24th of November, 2026",
    "Sat, Jul 4, 1987",
]


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------

def ordinal(n):
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return str(n), suffix


def month_abbreviation(m, rng):
    name = MONTHS[m - 1]
    if m == 9 and rng.random() < 0.3:
        return "Sept"
    return name[:3]


# A part is (text, field): field is "y", "m", "d" for the characters the ISO fields come from, None otherwise.
# Each format returns the parts of one date; `r` is the example's random generator.

def y4(date):
    return [(f"{date.year:04d}", "y")]


def y2(date):
    return [(f"{date.year % 100:02d}", "y")]


def m2(date):
    return [(f"{date.month:02d}", "m")]


def m1(date):
    return [(str(date.month), "m")]


def d2(date):
    return [(f"{date.day:02d}", "d")]


def d1(date):
    return [(str(date.day), "d")]


def mname(date):
    return [(MONTHS[date.month - 1], "m")]


def mabbr(date, r):
    return [(month_abbreviation(date.month, r), "m")]


def dth(date):
    digits, suffix = ordinal(date.day)
    return [(digits, "d"), (suffix, None)]


def wname(date):
    return WEEKDAYS[date.weekday()]


def wabbr(date):
    return WEEKDAYS[date.weekday()][:3]


def s(text):
    return [(text, None)]


FORMATS = {
    "d MMMM yyyy": lambda t, r: d1(t) + s(" ") + mname(t) + s(" ") + y4(t),
    "d MMM yyyy": lambda t, r: d1(t) + s(" ") + mabbr(t, r) + s(" ") + y4(t),
    "d MMM. yyyy": lambda t, r: d1(t) + s(" ") + mabbr(t, r) + s(". ") + y4(t),
    "MMMM d, yyyy": lambda t, r: mname(t) + s(" ") + d1(t) + s(", ") + y4(t),
    "MMM d, yyyy": lambda t, r: mabbr(t, r) + s(" ") + d1(t) + s(", ") + y4(t),
    "MMM d yyyy": lambda t, r: mabbr(t, r) + s(" ") + d1(t) + s(" ") + y4(t),
    "MMM. d, yyyy": lambda t, r: mabbr(t, r) + s(". ") + d1(t) + s(", ") + y4(t),
    "MMM d, 'yy": lambda t, r: mabbr(t, r) + s(" ") + d1(t) + s(", '") + y2(t),
    "d MMM 'yy": lambda t, r: d1(t) + s(" ") + mabbr(t, r) + s(" '") + y2(t),
    "yyyy/mm/dd": lambda t, r: y4(t) + s("/") + m2(t) + s("/") + d2(t),
    "yyyy-mm-dd": lambda t, r: y4(t) + s("-") + m2(t) + s("-") + d2(t),
    "yyyy.mm.dd": lambda t, r: y4(t) + s(".") + m2(t) + s(".") + d2(t),
    "yyyymmdd": lambda t, r: y4(t) + m2(t) + d2(t),
    "yyyy MMMM d": lambda t, r: y4(t) + s(" ") + mname(t) + s(" ") + d1(t),
    "yyyy-MMM-dd": lambda t, r: y4(t) + s("-") + mabbr(t, r) + s("-") + d2(t),
    "dddd d MMM yyyy": lambda t, r: s(wname(t) + " ") + d1(t) + s(" ") + mabbr(t, r) + s(" ") + y4(t),
    "dddd, d MMMM yyyy": lambda t, r: s(wname(t) + ", ") + d1(t) + s(" ") + mname(t) + s(" ") + y4(t),
    "dddd, MMMM d, yyyy": lambda t, r: s(wname(t) + ", ") + mname(t) + s(" ") + d1(t) + s(", ") + y4(t),
    "ddd d MMM yyyy": lambda t, r: s(wabbr(t) + " ") + d1(t) + s(" ") + mabbr(t, r) + s(" ") + y4(t),
    "ddd, MMM d, yyyy": lambda t, r: s(wabbr(t) + ", ") + mabbr(t, r) + s(" ") + d1(t) + s(", ") + y4(t),
    "dddd dth MMMM yyyy": lambda t, r: s(wname(t) + " ") + dth(t) + s(" ") + mname(t) + s(" ") + y4(t),
    "dd.mm.yyyy": lambda t, r: d2(t) + s(".") + m2(t) + s(".") + y4(t),
    "d.m.yyyy": lambda t, r: d1(t) + s(".") + m1(t) + s(".") + y4(t),
    "dd.mm.yy": lambda t, r: d2(t) + s(".") + m2(t) + s(".") + y2(t),
    "dd-mm-yyyy": lambda t, r: d2(t) + s("-") + m2(t) + s("-") + y4(t),
    "mm/dd/yyyy": lambda t, r: m2(t) + s("/") + d2(t) + s("/") + y4(t),
    "m/d/yyyy": lambda t, r: m1(t) + s("/") + d1(t) + s("/") + y4(t),
    "mm/dd/yy": lambda t, r: m2(t) + s("/") + d2(t) + s("/") + y2(t),
    "dth of MMMM, yyyy": lambda t, r: dth(t) + s(" of ") + mname(t) + s(", ") + y4(t),
    "the dth of MMMM yyyy": lambda t, r: s("the ") + dth(t) + s(" of ") + mname(t) + s(" ") + y4(t),
    "dth MMMM yyyy": lambda t, r: dth(t) + s(" ") + mname(t) + s(" ") + y4(t),
    "MMMM dth, yyyy": lambda t, r: mname(t) + s(" ") + dth(t) + s(", ") + y4(t),
    "d-MMM-yyyy": lambda t, r: d1(t) + s("-") + mabbr(t, r) + s("-") + y4(t),
    "dd/MMM/yyyy": lambda t, r: d2(t) + s("/") + mabbr(t, r) + s("/") + y4(t),
}


def recase(text, r):
    """The same text in one of the cases people type; the model sees it lowercased."""
    choice = r.random()
    if choice < 0.5:
        return text.lower()
    if choice < 0.6:
        return text.upper()
    return text


def example(date, fmt, r):
    """(source, target, fields): fields maps each source character index to "y", "m", "d" or None."""
    parts = FORMATS[fmt](date, r)
    source, fields = "", []
    for text, field in parts:
        source += text
        fields += [field] * len(text)
    return recase(source, r), date.isoformat(), fields


def held_out(date):
    return (date - FIRST).days % 10 == 0


def dataset(count, seed, held):
    """count examples from dates that are (held=True) or are not (held=False) held out, with their own seed."""
    r = random.Random(seed)
    span = (LAST - FIRST).days
    names = sorted(FORMATS)
    out = []
    while len(out) < count:
        date = FIRST + datetime.timedelta(days=r.randint(0, span))
        if held_out(date) != held:
            continue
        out.append(example(date, names[r.randrange(len(names))], r))
    return out


def source_ids(source):
    return [SOURCE_ID.get(c, SOURCE_ID[UNK]) for c in source.lower()]


def guide_targets(fields, target):
    """For each target step (each ISO character, then the end), the source indices it should look at (may be empty).

    A field written with as many digits as ISO has (yyyy, mm, dd) maps digit k to digit k; a short field (two-digit
    year, one-digit month or day, a month name) maps the digits it cannot match one to one to the whole field.
    """
    spans = {}
    for i, field in enumerate(fields):
        if field is not None:
            spans.setdefault(field, []).append(i)
    iso = {"y": (0, 4), "m": (5, 2), "d": (8, 2)}
    steps = [[] for _ in range(len(target) + 1)]
    for field, (at, width) in iso.items():
        span = spans[field]
        digits = span if len(span) <= width else None  # a month name is longer than two
        for k in range(width):
            if digits is None:
                steps[at + k] = span
            else:
                offset = width - len(digits)  # a short field lines up with the last ISO digits
                steps[at + k] = [digits[k - offset]] if k >= offset else span
    return steps


def batches(data, batch_size, generator):
    order = torch.randperm(len(data), generator=generator).tolist()
    for start in range(0, len(order), batch_size):
        yield [data[i] for i in order[start:start + batch_size]]


def tensors(items):
    """Padded source ids, mask, target input/output ids and the guide matrix [b, steps, s] for a list of examples."""
    b = len(items)
    s_len = max(len(src) for src, _, _ in items)
    t_len = max(len(tgt) for _, tgt, _ in items) + 1
    src = torch.zeros(b, s_len, dtype=torch.long)
    tgt_in = torch.zeros(b, t_len, dtype=torch.long)
    tgt_out = torch.zeros(b, t_len, dtype=torch.long)
    guide = torch.zeros(b, t_len, s_len)
    for i, (source, target, fields) in enumerate(items):
        ids = source_ids(source)
        src[i, :len(ids)] = torch.tensor(ids)
        out = [TARGET_ID[c] for c in target] + [TARGET_ID[END]]
        tgt_out[i, :len(out)] = torch.tensor(out)
        tgt_in[i, :len(out)] = torch.tensor([TARGET_ID[START]] + out[:-1])
        for step, where in enumerate(guide_targets(fields, target)):
            for j in where:
                guide[i, step, j] = 1.0
    return src, src != 0, tgt_in, tgt_out, guide


# ---------------------------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------------------------

class Dense(nn.Linear):
    """nn.Linear that trains as a 1x1 convolution.

    Debian's python3-torch does matrix products with whatever libblas.so.3 is installed, which is the slow
    reference BLAS unless OpenBLAS is; its convolutions run on oneDNN, about three times faster here. Same weights,
    same function: evaluation, the reference decodes and the export use the plain Linear (MatMul/Gemm).
    """

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        shape = x.shape
        y = F.conv1d(x.reshape(-1, shape[-1], 1), self.weight.unsqueeze(-1), self.bias)
        return y.reshape(*shape[:-1], self.out_features)


class Window(nn.Linear):
    """A width-w convolution over the sequence, zero outside it: y(i) = W [x(i - w//2) .. x(i + w//2)] + b.

    Trained as the Conv1d it is (oneDNN); exported as w shifted copies of the zero-padded input (Concat and constant
    Slice bounds, no Shape op) and one MatMul, because the managed backend has no Conv or Pad. weight[:, k*C:(k+1)*C]
    reads x(i + k - w//2) in both forms.
    """

    def __init__(self, channels, out, width):
        super().__init__(width * channels, out)
        self.width = width
        self.channels = channels

    def forward(self, x):                                        # x [b, s, C], zero at padding
        half = self.width // 2
        if self.training:
            kernel = self.weight.view(-1, self.width, self.channels).permute(0, 2, 1)
            return F.conv1d(x.transpose(1, 2), kernel, self.bias, padding=half).transpose(1, 2)
        zero = x[:, :1] * 0.0                                    # [b, 1, C]: padding without Pad or ConstantOfShape
        padded = torch.cat([zero] * half + [x] + [zero] * half, dim=1)
        copies = [padded[:, k:k - 2 * half] if k < 2 * half else padded[:, k:] for k in range(self.width)]
        return super().forward(torch.cat(copies, dim=-1))


class Encoder(nn.Module):
    """Two stacked width-5 windows (each character sees 4 on either side), then values and the initial state.

    One window is not enough: in "20261124" the month's digits are more than two characters from either end, so
    nothing in a width-5 window tells them from the year's.
    """

    def __init__(self, vocab, embed, width, channels, values, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed, padding_idx=0)
        self.window1 = Window(embed, channels, width)
        self.window2 = Window(channels, values, width)
        self.local = Dense(values, values)
        self.summary = Dense(values, values, bias=False)
        self.state = Dense(values, hidden)

    def forward(self, tokens):
        mask = (tokens > 0).unsqueeze(-1).to(torch.float32)   # [b, s, 1]
        e = self.embed(tokens) * mask                          # [b, s, E]
        near = torch.tanh(self.window1(e)) * mask              # [b, s, C]
        local = torch.tanh(self.window2(near)) * mask           # [b, s, V]
        mean = local.sum(dim=1) / mask.sum(dim=1)               # [b, V]
        values = torch.tanh(self.local(local) + self.summary(mean).unsqueeze(1)) * mask
        return values, torch.tanh(self.state(mean))


class Decoder(nn.Module):
    """One decoder step. The GRU cell is written as its gates so the export is plain Gemm/Sigmoid/Tanh."""

    def __init__(self, vocab, embed, values, hidden, attention):
        super().__init__()
        self.hidden = hidden
        self.embed = nn.Embedding(vocab, embed)
        self.wq = Dense(hidden, attention)
        self.wk = Dense(values, attention, bias=False)
        self.v = Dense(attention, 1, bias=False)
        self.input_gates = Dense(embed + values, 3 * hidden)
        self.state_gates = Dense(hidden, 3 * hidden)
        self.out = Dense(hidden + values + embed, vocab)

    def keys(self, values):
        return self.wk(values)

    def step(self, token, query, values, keys, mask):
        scores = self.v(torch.tanh(self.wq(query).unsqueeze(1) + keys)).squeeze(-1)   # [b, s]
        scores = torch.where(mask, scores, torch.tensor(float("-inf")))
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), values).squeeze(1)                   # [b, V]
        e = self.embed(token)
        x = self.input_gates(torch.cat([e, context], dim=-1))
        h = self.state_gates(query)
        # Gates r, z, n by constant slices (chunk would export Shape arithmetic and leave the state's size symbolic).
        size = self.hidden
        r = torch.sigmoid(x[:, :size] + h[:, :size])
        z = torch.sigmoid(x[:, size:2 * size] + h[:, size:2 * size])
        n = torch.tanh(x[:, 2 * size:] + r * h[:, 2 * size:])
        state = (1 - z) * n + z * query
        logits = self.out(torch.cat([state, context, e], dim=-1))
        return context, weights, state, logits

    def forward(self, token, query, values, mask):
        return self.step(token, query, values, self.keys(values), mask)


class EncoderExport(nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, tokens):
        return self.encoder(tokens)


# ---------------------------------------------------------------------------------------------------------------
# Training and evaluation
# ---------------------------------------------------------------------------------------------------------------

def train(encoder, decoder, data, held, args, log):
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=args.lr)
    steps_per_epoch = (len(data) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total, pct_start=0.15)
    generator = torch.Generator().manual_seed(args.seed)
    ce = nn.CrossEntropyLoss(ignore_index=0, reduction="sum")
    step = 0
    for epoch in range(args.epochs):
        encoder.train()
        decoder.train()
        running, seen = 0.0, 0
        for items in batches(data, args.batch, generator):
            src, mask, tgt_in, tgt_out, guide = tensors(items)
            values, state = encoder(src)
            keys = decoder.keys(values)
            loss_ce, loss_guide = 0.0, 0.0
            for t in range(tgt_in.shape[1]):
                _, weights, state, logits = decoder.step(tgt_in[:, t], state, values, keys, mask)
                loss_ce = loss_ce + ce(logits, tgt_out[:, t])
                g = guide[:, t]
                has = g.sum(dim=-1) > 0
                if args.guide > 0 and bool(has.any()):
                    on = (weights * g).sum(dim=-1)[has]
                    loss_guide = loss_guide - torch.log(on + 1e-6).sum()
            tokens = int((tgt_out != 0).sum())
            loss = (loss_ce + args.guide * loss_guide) / tokens
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            running += float(loss) * len(items)
            seen += len(items)
            if step % 100 == 0:
                log(f"epoch {epoch + 1} step {step}/{total} loss {running / seen:.4f}")
        exact, alignment = evaluate(encoder, decoder, held[:500])
        log(f"epoch {epoch + 1} done, loss {running / seen:.4f}; first 500 held-out: exact {exact:.4f}, "
            f"year alignment {alignment['y']:.4f}")


@torch.no_grad()
def greedy(encoder, decoder, sources):
    """Greedy decode of a batch as the service does it: ids per source, weights and contexts per step."""
    ids = [source_ids(x) for x in sources]
    s_len = max(len(i) for i in ids)
    src = torch.zeros(len(ids), s_len, dtype=torch.long)
    for b, i in enumerate(ids):
        src[b, :len(i)] = torch.tensor(i)
    mask = src != 0
    values, state = encoder(src)
    keys = decoder.keys(values)
    token = torch.full((len(ids),), TARGET_ID[START], dtype=torch.long)
    outs = [[] for _ in ids]
    weights_all = [[] for _ in ids]
    contexts = [[] for _ in ids]
    done = [False] * len(ids)
    for _ in range(MAX_STEPS):
        context, weights, state, logits = decoder.step(token, state, values, keys, mask)
        token = logits.argmax(dim=-1)
        for b in range(len(ids)):
            if done[b]:
                continue
            outs[b].append(int(token[b]))
            weights_all[b].append(weights[b, :len(ids[b])].tolist())
            contexts[b].append(context[b].tolist())
            done[b] = int(token[b]) == TARGET_ID[END]
        if all(done):
            break
    return outs, weights_all, contexts


def text(out):
    return "".join(TARGET_VOCAB[t] for t in out if t != TARGET_ID[END])


def evaluate(encoder, decoder, data, batch_size=256, mistakes=None):
    encoder.eval()
    decoder.eval()
    exact = 0
    hits = {"y": [0, 0], "m": [0, 0], "d": [0, 0], "year digits": [0, 0]}
    for start in range(0, len(data), batch_size):
        items = data[start:start + batch_size]
        outs, weights, _ = greedy(encoder, decoder, [x for x, _, _ in items])
        for (source, target, fields), out, w in zip(items, outs, weights):
            exact += text(out) == target
            if text(out) != target and mistakes is not None:
                mistakes.append(f"{source!r} -> {text(out)!r}, not {target!r}")
            guide = guide_targets(fields, target)
            for step, row in enumerate(w[:len(target)]):
                field = "y" if step < 4 else "m" if 5 <= step < 7 else "d" if step >= 8 else None
                if field is None:
                    continue
                top = max(range(len(row)), key=row.__getitem__)
                hits[field][0] += fields[top] == field
                hits[field][1] += 1
                if field == "y" and sum(f == "y" for f in fields) == 4:
                    hits["year digits"][0] += [top] == guide[step]
                    hits["year digits"][1] += 1
    return exact / len(data), {k: round(h / max(n, 1), 4) for k, (h, n) in hits.items()}


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------

def export(encoder, decoder, folder, args):
    os.makedirs(folder, exist_ok=True)
    encoder.eval()
    decoder.eval()
    tokens = torch.tensor([source_ids("24 november 2026"), source_ids("2026/11/24") + [0] * 6])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(EncoderExport(encoder), (tokens,), os.path.join(folder, "encoder.onnx"),
                          opset_version=OPSET, input_names=["tokens"], output_names=["values", "state"],
                          dynamic_axes={"tokens": {0: "batch", 1: "src"}, "values": {0: "batch", 1: "src"},
                                        "state": {0: "batch"}})
        values, state = encoder(tokens)
        token = torch.full((2,), TARGET_ID[START], dtype=torch.long)
        torch.onnx.export(decoder, (token, state, values, tokens != 0), os.path.join(folder, "decoder.onnx"),
                          opset_version=OPSET, input_names=["token", "query", "values", "mask"],
                          output_names=["context", "weights", "state", "logits"],
                          dynamic_axes={"token": {0: "batch"}, "query": {0: "batch"},
                                        "values": {0: "batch", 1: "src"}, "mask": {0: "batch", 1: "src"},
                                        "context": {0: "batch"}, "weights": {0: "batch", 1: "src"},
                                        "state": {0: "batch"}, "logits": {0: "batch"}})
    ops = set()
    for name in ("encoder.onnx", "decoder.onnx"):
        model = onnx.load(os.path.join(folder, name))
        onnx.checker.check_model(model)
        ops |= {node.op_type for node in model.graph.node}
    return sorted(ops)


def config():
    return {
        "description": "Date normalisation: free-form dates (\"24 November 2026\", \"Nov 24, '26\", \"tuesday 24 nov "
                       "2026\") to ISO 2026-11-24. Character-level encoder-decoder with additive (Bahdanau) attention, "
                       "trained by scripts/train-dates.py.",
        "encoder": {"file": "encoder.onnx", "inputs": {"tokens": "tokens"},
                    "outputs": {"values": "values", "state": "state"}},
        "decoder": {"file": "decoder.onnx",
                    "inputs": {"token": "token", "query": "query", "values": "values", "mask": "mask"},
                    "outputs": {"context": "context", "weights": "weights", "state": "state", "logits": "logits"}},
        "vocabulary": {"source": SOURCE_VOCAB, "target": TARGET_VOCAB, "pad": PAD, "unknown": UNK, "start": START,
                       "end": END, "lowercase": True},
        "maxSourceLength": MAX_SOURCE,
        "maxSteps": MAX_STEPS,
    }


def reference(encoder, decoder):
    cases = []
    for source in REFERENCE_SOURCES:
        outs, weights, contexts = greedy(encoder, decoder, [source])
        out = outs[0]
        cases.append({
            "source": source,
            "sourceTokens": list(source.lower()),
            "outputTokens": [TARGET_VOCAB[t] for t in out],
            "output": text(out),
            "stop": "end" if out and out[-1] == TARGET_ID[END] else "maxSteps",
            "weights": [[round(x, 9) for x in row] for row in weights[0]],
            "context": [[round(x, 9) for x in row] for row in contexts[0]],
        })
    return {"description": "torch's greedy decode of the dates model (scripts/train-dates.py): per source the "
                           "output tokens, and per output step the attention weights over the source characters "
                           "and the context vector.", "cases": cases}


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=root, help="root under which models/dates and tests/fixtures/dates are written")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--train", type=int, default=20000, help="training examples")
    p.add_argument("--held-out", type=int, default=2000, help="held-out examples (dates never trained on)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=4e-3)
    p.add_argument("--guide", type=float, default=0.3, help="weight of the guided-attention term")
    p.add_argument("--embed", type=int, default=32)
    p.add_argument("--channels", type=int, default=64, help="output size of the first window")
    p.add_argument("--values", type=int, default=128)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--attention", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()

    def log(message):
        print(f"[{time.time() - started:6.1f}s] {message}", flush=True)

    train_data = dataset(args.train, args.seed, held=False)
    held_data = dataset(args.held_out, args.seed + 1, held=True)
    log(f"{len(train_data)} training examples, {len(held_data)} held-out, {len(FORMATS)} formats")

    encoder = Encoder(len(SOURCE_VOCAB), args.embed, 5, args.channels, args.values, args.hidden)
    decoder = Decoder(len(TARGET_VOCAB), 16, args.values, args.hidden, args.attention)
    train(encoder, decoder, train_data, held_data, args, log)
    trained = time.time() - started
    trained_cpu = time.process_time()

    mistakes = []
    exact, alignment = evaluate(encoder, decoder, held_data, mistakes=mistakes)
    log(f"held-out exact match {exact:.4f}, alignment {alignment}")
    for mistake in mistakes[:20]:
        log(f"  held-out mistake: {mistake}")

    folder = os.path.join(args.out, "models", "dates")
    ops = export(encoder, decoder, folder, args)
    write_json(os.path.join(folder, "seq2seq.json"), config())
    write_json(os.path.join(args.out, "tests", "fixtures", "dates", "reference.json"), reference(encoder, decoder))
    write_json(os.path.join(folder, "training.json"), {
        "script": "scripts/train-dates.py",
        "command": " ".join(["/usr/bin/python3", "scripts/train-dates.py"] + sys.argv[1:]),
        "torch": torch.__version__,
        "seed": args.seed,
        "threads": args.threads,
        "hyperparameters": {"epochs": args.epochs, "batch": args.batch, "lr": args.lr, "schedule": "one-cycle",
                            "optimizer": "Adam", "gradientClip": 1.0, "guide": args.guide,
                            "sourceEmbedding": args.embed, "targetEmbedding": 16, "window": 5, "windows": 2,
                            "channels": args.channels,
                            "values": args.values, "hidden": args.hidden, "attention": args.attention},
        "data": {"train": len(train_data), "heldOut": len(held_data), "formats": sorted(FORMATS),
                 "years": [FIRST.year, LAST.year],
                 "heldOutRule": "dates whose day number since 1950-01-01 is a multiple of 10, never trained on; "
                                f"train seed {args.seed}, held-out seed {args.seed + 1}"},
        "trainingSeconds": round(trained, 1),
        "trainingCpuSeconds": round(trained_cpu, 1),
        "heldOutExactMatch": round(exact, 4),
        "alignment": {
            "description": "held-out, greedy: the fraction of output steps of each ISO field whose argmax weight is "
                           "on that field's source characters; year digits: 4-digit years, argmax on the same digit",
            "year": alignment["y"], "month": alignment["m"], "day": alignment["d"],
            "yearDigits": alignment["year digits"]},
        "ops": ops,
    })
    log(f"wrote {folder}")


if __name__ == "__main__":
    main()

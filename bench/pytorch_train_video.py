#!/usr/bin/env python3
"""PyTorch twin of the study's video model, timed for `delta-sparsity bench --train-video`.

The model matches lib/models/smallCnn.ts + assemble.ts: per frame (time folded into the batch)
conv3x3 stride 2 'same' (TF padding: the extra row/column goes bottom/right) -> ReLU, for each filter
count, global average pool, dense to logits, average over time. The delta variant inserts the Delta
Activation Layer where the TypeScript builder does (input frames, after every ReLU, after the pool):
y = q * round(relu(x) / q), straight-through rounding, q = max(|threshold|, 1e-6) per channel, with the
gradient reaching q through the product negated; its penalty is lambda * fanOut * mean|y_t - y_(t-1)|,
added to the cross-entropy. Adam. One thread (torch.set_num_threads(1)).

Protocol (so that the caller can interleave its own timings with ours): the configuration is one JSON
argument; the script then reads lines "<variant> <steps>" on stdin and answers each with one JSON line
{"variant": ..., "stepsMs": [...]}, timing each training step (forward, backward, optimizer update).
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass  # already set


class RoundStraightThrough(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class NegateGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Delta(torch.nn.Module):
    """Quantizer over the channel axis (dim 1 of NCHW frames or of [N, C] features)."""

    def __init__(self, channels, threshold, weight, fan_out):
        super().__init__()
        self.threshold = torch.nn.Parameter(torch.full((channels,), threshold))
        self.weight = weight
        self.fan_out = fan_out

    def forward(self, x):
        q = torch.clamp(self.threshold.abs(), min=1e-6)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        q = q.view(shape)
        levels = RoundStraightThrough.apply(F.relu(x) / q.detach())
        return levels * NegateGradient.apply(q)

    def penalty(self, y, batch, time_steps):
        clips = y.reshape(batch, time_steps, *y.shape[1:])
        return self.weight * self.fan_out * (clips[:, 1:] - clips[:, :-1]).abs().mean()


def same_pad(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class VideoCnn(torch.nn.Module):
    def __init__(self, config, delta):
        super().__init__()
        t, h, w, c = config["inputShape"]
        self.time_steps = t
        k = config["kernelSize"]
        self.convs = torch.nn.ModuleList()
        self.pads = []
        size = h
        channels = c
        for f in config["filters"]:
            self.convs.append(torch.nn.Conv2d(channels, f, k, stride=2))
            before, after = same_pad(size, k, 2)
            self.pads.append((before, after, before, after))
            size = -(-size // 2)
            channels = f
        self.dense = torch.nn.Linear(channels, config["classes"])
        self.deltas = None
        if delta:
            fan_outs = config["fanOuts"]
            widths = [c] + list(config["filters"]) + [channels]
            self.deltas = torch.nn.ModuleList(
                Delta(widths[i], config["threshold"], config["sparsityWeight"], fan_outs[i]) for i in range(len(fan_outs))
            )

    def forward(self, clips):
        b = clips.shape[0]
        x = clips.reshape(b * self.time_steps, *clips.shape[2:])  # [B*T, C, H, W]
        penalty = x.new_zeros(())
        layer = 0

        def delta(v):
            nonlocal penalty, layer
            if self.deltas is None:
                return v
            d = self.deltas[layer]
            layer += 1
            y = d(v)
            penalty = penalty + d.penalty(y, b, self.time_steps)
            return y

        x = delta(x)
        for conv, pad in zip(self.convs, self.pads):
            x = delta(F.relu(conv(F.pad(x, pad))))
        x = delta(x.mean(dim=(2, 3)))
        logits = self.dense(x).reshape(b, self.time_steps, -1).mean(dim=1)
        return logits, penalty


def main():
    config = json.loads(sys.argv[1])
    torch.manual_seed(config.get("seed", 1))
    t, h, w, c = config["inputShape"]
    batch = config["batchSize"]
    clips = torch.rand(batch, t, c, h, w)
    labels = torch.arange(batch) % config["classes"]
    runs = {}
    for variant in config["variants"]:
        model = VideoCnn(config, variant == "delta")
        optimizer = torch.optim.Adam(model.parameters(), lr=config["learningRate"])
        runs[variant] = (model, optimizer)

    def step(variant):
        model, optimizer = runs[variant]
        optimizer.zero_grad()
        logits, penalty = model(clips)
        loss = F.cross_entropy(logits, labels) + penalty
        loss.backward()
        optimizer.step()
        return float(loss)

    params = {variant: sum(p.numel() for p in runs[variant][0].parameters()) for variant in runs}
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(), "params": params}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        variant, steps = parts[0], int(parts[1])
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            step(variant)
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps({"variant": variant, "stepsMs": times}), flush=True)


if __name__ == "__main__":
    main()

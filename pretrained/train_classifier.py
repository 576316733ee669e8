"""Train the digit classifier that judges generated digits; writes `pretrained/classifier.safetensors`.

Trains on the embedded 4,500-digit training split only and reports accuracy on the 500 held-out
digits, which the metrics use as the real reference. From the repository root:

    .venv/bin/python -m pretrained.train_classifier
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from playground.digits.classifier import DEFAULT_WEIGHTS, DigitClassifier
from playground.digits.data import embedded_mnist


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random small rotation (±10°), scale (0.9–1.1) and shift (±2 px) per digit.

    With only 450 digits per class this is what lifts held-out accuracy; real handwriting varies
    in exactly these ways, so the classifier also tolerates the sloppy strokes of a generator.
    """
    n = x.shape[0]
    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(10)
    scale = 0.9 + 0.2 * torch.rand(n, generator=gen)
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * (2 / 14)  # 2 px in [-1, 1] grid units (14 px)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    rows = [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)]  # 2 x [N,3]
    theta = torch.stack(rows, 1)  # [N,2,3]
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # grid_sample pads with 0, so shift the background (-1) to 0 and back
    return F.grid_sample(x + 1, grid, align_corners=False) - 1


def non_digits(n: int, gen: torch.Generator) -> torch.Tensor:
    """n images [n, 1, 28, 28] that are no digit: pixel noise, blurred noise, flat grey levels.

    An untrained generator emits exactly such images, and a classifier trained on digits alone
    labels them "8" with > 99 % confidence; learning uniform predictions on them (outlier
    exposure, Hendrycks et al. 2019) keeps "confident fraction" honest early in GAN training.
    """
    noise = torch.rand(n, 1, 28, 28, generator=gen) * 2 - 1
    blurred = (F.avg_pool2d(noise, 5, stride=1, padding=2) * 3).clamp(-1, 1)  # blobs, like early G samples
    flat = (torch.rand(n, 1, 1, 1, generator=gen) * 2 - 1).expand(n, 1, 28, 28)
    kind = torch.randint(0, 3, (n, 1, 1, 1), generator=gen)
    return torch.where(kind == 0, noise, torch.where(kind == 1, blurred, flat))


@torch.no_grad()
def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return (model(x).argmax(1) == y).float().mean().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--non-digits", type=int, default=16, help="non-digit images per batch")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)  # initial weights and dropout
    gen = torch.Generator().manual_seed(args.seed)  # batch order and augmentation
    train, heldout = embedded_mnist("train"), embedded_mnist("heldout")
    model = DigitClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train.labels) / args.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)

    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train.labels), generator=gen)
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i : i + args.batch_size]
            x = torch.cat([augment(train.images[idx], gen), non_digits(args.non_digits, gen)])
            logits = model(x)
            loss = F.cross_entropy(logits[: len(idx)], train.labels[idx])
            # cross-entropy against the uniform distribution: "no idea" on non-digits
            loss = loss - 0.5 * F.log_softmax(logits[len(idx) :], dim=1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        acc = accuracy(model, heldout.images, heldout.labels)
        print(f"epoch {epoch + 1:2d}  loss {total / len(order):.3f}  held-out acc {acc:.3f}")

    train_acc = accuracy(model, train.images, train.labels)
    meta = {"model": "DigitClassifier", "heldout_accuracy": f"{acc:.4f}", "train_accuracy": f"{train_acc:.4f}"}
    meta |= {k: str(v) for k, v in vars(args).items() if k != "out"}
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(args.out), metadata=meta)
    print(f"train acc {train_acc:.4f}  held-out acc {acc:.4f}  ({time.perf_counter() - start:.0f} s)")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()

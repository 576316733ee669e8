"""Train an MNIST generator (MLP GAN or DCGAN) for a fixed wall-clock budget and ship it as safetensors.

    python -m pretrained.train_generators --model dcgan --seconds 600
    python -m pretrained.train_generators --model mlp --seconds 600 --dry-run   # a few steps, nothing written

Trains on the embedded MNIST training split with the project's ``Trainer`` (samples from its EMA
generator), then judges 1,000 samples with the shipped classifier against the held-out digits and
prints the real-vs-real floor beside the scores. The metrics and every flag go into the file's metadata.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from playground.digits.classifier import load_classifier
from playground.digits.data import load_mnist
from playground.digits.metrics import digit_report, real_floor, reference_stats
from playground.digits.models import MNIST_MODELS, ImageSampler, recalibrate_batch_norm
from playground.gan.checkpoints import save_checkpoint
from playground.gan.models import sample_latent
from playground.gan.trainer import TrainConfig, Trainer

HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=list(MNIST_MODELS), required=True)
    p.add_argument("--seconds", type=float, default=600.0, help="wall-clock training budget")
    p.add_argument("--max-steps", type=int, default=1_000_000, help="stop earlier after this many G steps")
    p.add_argument("--loss", default="nonsat")
    p.add_argument("--lr-d", type=float, default=None, help="default: 2e-4 (mlp) / 5e-4 (dcgan)")
    p.add_argument("--lr-g", type=float, default=None, help="default: as --lr-d")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--k", type=int, default=1)
    p.add_argument("--gp-weight", type=float, default=10.0, help="WGAN-GP λ (10: the paper's image setting)")
    p.add_argument("--instance-noise", type=float, default=0.0, help="σ₀ of noise on D's inputs, annealed to 0")
    p.add_argument("--noise-anneal-steps", type=int, default=2000)
    p.add_argument("--ema-decay", type=float, default=0.999, help="long runs: average over ~1,000 steps")
    p.add_argument("--latent-dim", type=int, default=None, help="default: the config's")
    p.add_argument("--dropout", type=float, default=None, help="MLP only: dropout in D (default: the config's)")
    p.add_argument("--conditional", action="store_true", help="DCGAN only: label in z, projection D")
    p.add_argument("--augment-shift", type=int, default=0, help="D sees images shifted by up to ± this many px")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 is best on a shared CPU)")
    p.add_argument("--eval-every", type=float, default=60.0, help="seconds between progress reports")
    p.add_argument("--out", type=Path, default=None,
                   help="default: pretrained/<model>[_conditional]_generator.safetensors")  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="20 steps and a small evaluation; writes nothing")
    return p.parse_args(argv)


def evaluate(G: torch.nn.Module, model_cfg, n: int, classifier, ref, seed: int = 1234) -> dict:
    """digit_report of n samples from an eval-mode generator (fixed z, so runs compare; a conditional G is asked
    for each digit equally often)."""
    z = sample_latent(n, model_cfg, torch.Generator().manual_seed(seed), "cpu", torch.arange(n) % 10)
    with torch.no_grad():
        images = G.eval()(z)
    return digit_report(images, classifier, ref)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    cls = MNIST_MODELS[args.model]
    if args.conditional and args.model != "dcgan":
        raise SystemExit("--conditional needs --model dcgan")
    classes = 10 if args.conditional else None
    overrides = {"latent_dim": args.latent_dim, "dropout": args.dropout, "num_classes": classes}
    model_cfg = cls(**{k: v for k, v in overrides.items() if v is not None})
    lr_d = args.lr_d or (2e-4 if args.model == "mlp" else 5e-4)
    train_cfg = TrainConfig(loss=args.loss, lr_d=lr_d, lr_g=args.lr_g or lr_d, batch_size=args.batch_size, k=args.k,
                            gp_weight=args.gp_weight, ema_decay=args.ema_decay, seed=args.seed,
                            instance_noise=args.instance_noise, noise_anneal_steps=args.noise_anneal_steps,
                            augment_shift=args.augment_shift, snapshot_every=10**9)  # fmt: skip
    train, heldout = load_mnist(split="train"), load_mnist(split="heldout")
    labels = train.labels if args.conditional else None
    trainer = Trainer(ImageSampler(train.images, labels=labels), model_cfg, train_cfg, device="cpu")
    classifier = load_classifier()
    ref = reference_stats(heldout.images, classifier)
    seconds, max_steps, n_eval = (5.0, 20, 200) if args.dry_run else (args.seconds, args.max_steps, 1000)

    start = last_report = time.perf_counter()
    while trainer.step_count < max_steps and time.perf_counter() - start < seconds:
        trainer.step(min(50, max_steps - trainer.step_count), seconds=seconds - (time.perf_counter() - start))
        if trainer.diverged:
            raise SystemExit(f"training diverged at step {trainer.step_count}: {trainer.diverged}")
        if time.perf_counter() - last_report >= args.eval_every:
            last_report = time.perf_counter()
            G, _ = trainer.models_at()
            r = evaluate(G, model_cfg, 500, classifier, ref)
            print(
                f"{last_report - start:6.0f} s  step {trainer.step_count:6d}  confident {r['confident_fraction']:.1%}"
                f"  classes {r['classes_present']}  cFID {r['fid']:.1f}  cIS {r['inception_score']:.2f}",
                flush=True,
            )
    elapsed = time.perf_counter() - start

    G = trainer.G_ema
    recalibrate_batch_norm(G, lambda n: trainer.latent(n))  # BN statistics of the averaged weights
    report = evaluate(G, model_cfg, n_eval, classifier, ref)
    floor = real_floor(train.images, classifier, ref, n=n_eval)
    summary = {
        "steps": trainer.step_count,
        "seconds": round(elapsed, 1),
        "images_per_s": round(trainer.step_count * args.batch_size / elapsed, 1),
        "confident_fraction": report["confident_fraction"],
        "classes_present": report["classes_present"],
        "class_counts": report["class_counts"],
        "classifier_fid": round(report["fid"], 2),
        "classifier_is": round(report["inception_score"], 3),
        "floor_fid": round(floor["fid"], 2),
        "floor_is": round(floor["inception_score"], 3),
        "floor_confident_fraction": floor["confident_fraction"],
        "n_eval": n_eval,
        "data": train.source,
    }
    print(json.dumps(summary, indent=1))
    if not args.dry_run:
        out = args.out or HERE / f"{args.model}{'_conditional' if args.conditional else ''}_generator.safetensors"
        flags = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
        extra = {"metrics": summary, "train_config": train_cfg.to_dict(), "flags": flags}
        save_checkpoint(out, G, "generator", model_cfg, trainer.step_count, extra)
        print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB)")
    return summary


if __name__ == "__main__":
    main()

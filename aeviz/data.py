"""Datasets: MNIST and Fashion-MNIST through torchvision, the shipped offline samples, and the toy sets.

Images are kept in memory as they come (uint8 for the real sets) and turned into floats in [0, 1]
per batch, which is what makes the training loop fast (no per-sample Dataset / DataLoader work).
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch import Tensor

DATASETS = {"mnist": "MNIST", "fashion": "FashionMNIST"}
LABELS = {
    "mnist": [str(i) for i in range(10)],
    "fashion": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}
TITLES = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "pretrained" / "samples"


class DataUnavailable(RuntimeError):
    """The dataset is neither on disk nor downloadable."""


@dataclass(frozen=True, eq=False)
class ImageSet:
    """Images (N, C, H, W), uint8 in [0, 255] or float in [0, 1], with optional integer labels."""

    x: Tensor
    y: Tensor | None = None
    name: str = ""

    def __len__(self) -> int:
        return len(self.x)

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.x.shape[1:])

    def floats(self, idx: Tensor | slice | None = None) -> Tensor:
        """Images (as float32 in [0, 1]) at `idx`; the whole set when idx is None."""
        x = self.x if idx is None else self.x[idx]
        return x.float().div_(255) if x.dtype == torch.uint8 else x.float()

    def subset(self, n: int | None) -> ImageSet:
        if n is None or n >= len(self):
            return self
        return ImageSet(self.x[:n], None if self.y is None else self.y[:n], self.name)


def data_root() -> Path:
    """AEVIZ_DATA_DIR, else the user's cache folder (where torchvision downloads to)."""
    env = os.environ.get("AEVIZ_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "aeviz" / "data"


def check_name(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose from {sorted(DATASETS)}")


# torchvision downloads each split as two IDX files into <root>/<MNIST|FashionMNIST>/raw
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@functools.lru_cache(maxsize=4)
def load_dataset(name: str, split: str = "train", download: bool = True) -> ImageSet:
    """The full MNIST or Fashion-MNIST split, loaded once per process (downloaded by torchvision if asked)."""
    check_name(name)
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r}; choose from ['test', 'train']")
    root = data_root()
    images, labels = (root / DATASETS[name] / "raw" / f for f in IDX_FILES[split])
    if not (images.is_file() and labels.is_file()):
        if not download:
            raise DataUnavailable(_missing(name, root))
        _download(name, root)
    x, y = read_idx(images), read_idx(labels)
    if x.ndim != 3 or y.shape != x.shape[:1]:
        raise DataUnavailable(f"{images} and {labels} do not hold one label per image")
    return ImageSet(torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y).long(), name)  # (N, 1, 28, 28) uint8


def read_idx(path: Path) -> np.ndarray:
    """An IDX file of bytes (the MNIST format): 0, 0, type 0x08, the number of dimensions, their
    sizes as big-endian int32, then the data. Read here, not through torchvision, because importing
    torchvision costs over a second of the app's start, and the format is this simple."""
    raw = np.fromfile(path, dtype=np.uint8)
    ndim = int(raw[3]) if len(raw) >= 4 and not raw[0] and not raw[1] and raw[2] == 0x08 else 0
    shape = tuple(int(n) for n in raw[4 : 4 + 4 * ndim].view(">i4")) if ndim and len(raw) >= 4 + 4 * ndim else ()
    if not shape or len(raw) != 4 + 4 * ndim + math.prod(shape):
        raise DataUnavailable(f"{path} is not an IDX file of bytes (or it is cut short)")
    return raw[4 + 4 * ndim :].reshape(shape)


def _download(name: str, root: Path) -> None:
    import torchvision  # only to download: torchvision knows the mirrors and checks the files

    try:
        getattr(torchvision.datasets, DATASETS[name])(root=str(root), download=True)
    except Exception as e:  # offline: URLError, socket errors, partial files...
        raise DataUnavailable(f"{_missing(name, root)} (download failed: {e})") from None


def _missing(name: str, root: Path) -> str:
    return (
        f"{TITLES[name]} is not in {root / DATASETS[name] / 'raw'}: put the four IDX files "
        f"(train/t10k images and labels) there, or set AEVIZ_DATA_DIR to a folder that has them"
    )


def load_sample(name: str) -> ImageSet:
    """The small test-set sample shipped in pretrained/samples: works on a fresh clone, offline."""
    check_name(name)
    with np.load(SAMPLE_DIR / f"{name}.npz", allow_pickle=False) as f:
        return ImageSet(torch.from_numpy(f["x"]).unsqueeze(1), torch.from_numpy(f["y"]).long(), name)


class Split(NamedTuple):
    """Images to learn from and images to test on, and where they came from (the page says so)."""

    train: ImageSet
    test: ImageSet
    note: str  # "" for the real splits


def splits(name: str, download: bool = False) -> Split:
    """The training and test splits; without them (offline, no files) the shipped 2,000-image
    sample, its first half to learn from and its second half to test on."""
    try:
        return Split(load_dataset(name, "train", download), load_dataset(name, "test", download), "")
    except DataUnavailable:
        s = load_sample(name)
        half = len(s) // 2
        note = f"no {TITLES[name]} training set on this machine: the shipped {len(s):,}-image sample, halved"
        return Split(ImageSet(s.x[:half], s.y[:half], name), ImageSet(s.x[half:], s.y[half:], name), note)


def load_test_or_sample(name: str) -> ImageSet:
    """The full test split when it is available (no download attempt), else the shipped sample."""
    try:
        return load_dataset(name, "test", download=False)
    except DataUnavailable:
        return load_sample(name)


def save_sample(name: str, n: int, path: Path) -> None:
    """The first n//10 test images of each class: a balanced, reproducible sample."""
    test = load_dataset(name, "test")
    idx = torch.cat([torch.nonzero(test.y == c).flatten()[: n // 10] for c in range(10)]).sort().values
    np.savez_compressed(path, x=test.x[idx, 0].numpy(), y=test.y[idx].numpy().astype(np.uint8))


# --- the lectures' toy sets -------------------------------------------------------------------------

PATTERNS_3x3 = [  # tutorial 10, Q1: x1 .. x5
    [[1, 1, 1], [0, 0, 0], [0, 0, 0]],
    [[1, 0, 0], [1, 0, 0], [1, 0, 0]],
    [[0, 0, 1], [0, 1, 0], [1, 0, 0]],
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    [[1, 0, 0], [1, 0, 0], [1, 1, 1]],
]


def patterns_3x3() -> ImageSet:
    """Tutorial 10, Q1: the five 3x3 binary patterns, (5, 1, 3, 3) floats."""
    x = torch.tensor(PATTERNS_3x3, dtype=torch.float32).unsqueeze(1)
    return ImageSet(x, torch.arange(5), "patterns")


def random_images(n: int = 100, size: int = 10, seed: int = 0) -> ImageSet:
    """Tutorial 10, Q2: n images of size x size pixels drawn from U(0, 1)."""
    g = torch.Generator().manual_seed(seed)
    return ImageSet(torch.rand((n, 1, size, size), generator=g), None, "random")


def load(name: str, split: str = "train") -> ImageSet:
    """Any dataset by name: 'mnist', 'fashion', 'patterns', 'random'."""
    if name == "patterns":
        return patterns_3x3()
    if name == "random":
        return random_images(seed=0 if split == "train" else 1)
    return load_dataset(name, split)

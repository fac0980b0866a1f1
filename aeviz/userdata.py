"""A class's own images: a zip of pictures (class sub-folders become labels), several image files,
a folder, or an .npz with `x` (and optional `y`), made into a dataset the app trains and explores.

Everything is read in memory, never extracted to disk, and checked before it is decoded: how many
entries, how many bytes uncompressed, how much each entry expands (zip bombs), paths (no
traversal, links ignored), and every image through the Upload page's hardened decoder, with its
size and pixel limits. What cannot be used is named, not raised.
"""

from __future__ import annotations

import ast
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import torch
from PIL import Image

from aeviz import preprocess
from aeviz.data import ImageSet

MAX_ENTRIES = 5_000  # files in an archive
MAX_TOTAL = 256 * 2**20  # bytes, uncompressed, in all
MAX_RATIO = 200  # an entry may expand this much at most (a zip bomb expands thousands of times)
MAX_IMAGES = 5_000  # images in a dataset
# decoded pixels one ingest job may spend over all its images (each is also shrunk as it is opened):
# 5,000 one-bit 40-MP PNGs in a 1.7 MB zip were about 70 minutes of a worker
MAX_DECODED_PIXELS = 2_000_000_000
SIZES = (28, 32, 64)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"}


class UserDataError(ValueError):
    """An archive or image set that cannot become a dataset; the message is for the student."""


@dataclass(frozen=True)
class Recipe:
    """How the pictures became tensors: stored with every model trained on them, so that `eval`
    preprocesses new images the same way."""

    color: bool = False  # gray (1 channel) or colour (3)
    size: int = 28  # height and width
    crop: str = "resize"  # "resize" the whole picture, or "mnist": the ink cropped and centred by mass (gray, 28)
    invert: str = "auto"  # "auto" (dark ink on light paper is flipped, gray only), "always", "never"

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise UserDataError(f"image size {self.size!r}: choose from {list(SIZES)}")
        if self.crop not in ("resize", "mnist"):
            raise UserDataError(f"crop {self.crop!r}: choose 'resize' or 'mnist'")
        if self.invert not in ("auto", "always", "never"):
            raise UserDataError(f"invert {self.invert!r}: choose 'auto', 'always' or 'never'")
        if self.crop == "mnist" and (self.color or self.size != 28):
            raise UserDataError("the MNIST-style crop makes 28x28 gray digits: choose 'resize' for colour or other sizes")

    @property
    def shape(self) -> tuple[int, int, int]:
        return (3 if self.color else 1, self.size, self.size)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(eq=False)  # one object, one dataset: hashed by identity (a job's parameters must hash)
class UserData:
    name: str
    train: ImageSet
    test: ImageSet
    labels: list[str] | None  # class names (the folders), or None: unlabelled
    recipe: Recipe
    skipped: list[str] = field(default_factory=list)  # what was left out, and why

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.recipe.shape

    def to_npz(self) -> bytes:
        """The dataset as it is (uint8 images, labels, the recipe): downloadable, and uploadable again."""
        buf = io.BytesIO()
        x = torch.cat([self.test.x, self.train.x]).numpy()  # the held-out images first: `n_test` of them
        arrays = {"x": x, "n_test": np.array(len(self.test)), "recipe": np.array(str(self.recipe.to_dict()))}
        if self.labels is not None:
            arrays |= {"y": torch.cat([self.test.y, self.train.y]).numpy(), "labels": np.array(self.labels)}
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()


# --- reading what was uploaded ---------------------------------------------------------------------


def read_zip(data: bytes, max_total: int | None = None) -> list[tuple[str, str | None, bytes]]:
    """(path, label, bytes) of every image in a zip; labels from class sub-folders, if every image has one.
    `max_total`: the uncompressed bytes it may hold (what is left of a job's budget), checked before reading."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise UserDataError(f"not a readable zip archive ({e})") from None
    if len(infos) > MAX_ENTRIES:
        raise UserDataError(f"the archive has {len(infos):,} entries; at most {MAX_ENTRIES:,} are read")
    total, max_total = 0, MAX_TOTAL if max_total is None else max_total
    files = []
    for info in infos:
        mode = (info.external_attr >> 16) & 0o170000
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if info.is_dir() or mode == 0o120000:  # folders, and symbolic links: ignored
            continue
        if path.is_absolute() or ".." in path.parts or re.match(r"^[A-Za-z]:", info.filename):
            raise UserDataError(f"the archive has an entry outside it ({info.filename[:80]!r}): refused")
        if any(p.startswith(".") or p == "__MACOSX" for p in path.parts) or path.suffix.lower() not in IMAGE_SUFFIXES:
            continue  # hidden files, macOS resource forks, non-images
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise UserDataError(f"{path.name} expands {info.file_size / info.compress_size:,.0f} times: refused as a zip bomb")
        total += info.file_size
        if total > max_total:
            raise UserDataError(f"the images hold over {MAX_TOTAL // 2**20} MB uncompressed in all: refused")
        files.append((info, path))
    if not files:
        raise UserDataError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in the archive")
    parts = [p.parts for _, p in files]
    depth = min(len(p) for p in parts)
    # a single wrapper folder (a zipped folder) is not a class: "cats/1.png" is unlabelled, "cats/tabby/1.png" labelled
    root = 1 if depth > 1 and len({p[0] for p in parts}) == 1 else 0
    labelled = all(len(p) - root >= 2 for p in parts)
    out = []
    for info, path in files:
        try:
            with zf.open(info) as f:
                blob = f.read(preprocess.MAX_BYTES + 1)  # bounded: a header may lie about the size
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as e:
            raise UserDataError(f"{path.name} cannot be read from the archive ({e})") from None
        out.append((str(path), path.parts[root] if labelled else None, blob))
    return out


def read_folder(folder: Path) -> list[tuple[str, str | None, bytes]]:
    """The images under a folder, labelled by sub-folder as in a zip (the CLI's --data DIR)."""
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.is_symlink())
    if not paths:
        raise UserDataError(f"no images in {folder}")
    if len(paths) > MAX_ENTRIES:
        raise UserDataError(f"{folder} has {len(paths):,} images; at most {MAX_ENTRIES:,} are read")
    labelled = all(len(p.relative_to(folder).parts) >= 2 for p in paths)
    return [(str(p.relative_to(folder)), p.relative_to(folder).parts[0] if labelled else None, p.read_bytes()) for p in paths]


def _npz_sizes(data: bytes) -> dict[str, int]:
    """Each array's size in bytes, from its .npy header, before anything is decompressed: a few
    hundred KB of compressed zeros can claim gigabytes."""
    sizes = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if len(zf.infolist()) > 16:
                raise UserDataError(f"the .npz has {len(zf.infolist())} arrays; this app reads x, y, labels, n_test")
            for info in zf.infolist():
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    if version not in ((1, 0), (2, 0)):
                        raise ValueError(f".npy format {version}")
                    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                    shape, _, dtype = read(f)
                key = info.filename.removesuffix(".npy")
                if key in sizes:  # "y" and "y.npy": numpy would read one, the size check would have counted the other
                    raise UserDataError(f"the .npz has two arrays named {key!r}")
                sizes[key] = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    except UserDataError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, TypeError, NotImplementedError) as e:
        raise UserDataError(f"not a readable .npz of arrays ({type(e).__name__}: {e})") from None
    return sizes


def read_npz(data: bytes) -> tuple[np.ndarray, np.ndarray | None, list[str] | None, int | None, Recipe | None]:
    """(x uint8 (N, H, W) or (N, H, W, 3) or (N, C, H, W), y or None, label names or None, n_test or
    None, the recipe this app's own download stored, or None)."""
    sizes = _npz_sizes(data)
    if "x" not in sizes:
        raise UserDataError(f"the .npz has no array 'x' (it has {sorted(sizes)})")
    if (total := sum(sizes.values())) > MAX_TOTAL:  # summed: four arrays just under the cap are four times it
        raise UserDataError(f"the .npz unpacks to {total / 2**20:,.0f} MB; at most {MAX_TOTAL // 2**20} MB are read")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            x = f["x"]
            y, n_test, recipe = f.get("y"), f.get("n_test"), f.get("recipe")  # an NpzFile loads an array on access
            labels = f.get("labels") if y is not None else None  # names without labels name nothing
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise UserDataError(f"not a readable .npz of arrays ({e})") from None
    if x.ndim not in (3, 4) or not 2 <= len(x) <= MAX_IMAGES:
        raise UserDataError(f"x must be 2 to {MAX_IMAGES:,} images, (N, H, W) or (N, H, W, C); got shape {x.shape}")
    if y is not None and (y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 999):
        raise UserDataError(f"y must be one label (a whole number, 0 to 999) per image; got shape {y.shape}, dtype {y.dtype}")
    names = None
    if labels is not None:
        if labels.ndim != 1 or not 1 <= len(labels) <= 1000 or labels.dtype.kind not in "UiuS":
            raise UserDataError(f"labels must be a list of up to 1,000 class names; got shape {labels.shape}, {labels.dtype}")
        names = [str(n)[:60] for n in labels]
    if n_test is not None:
        if n_test.shape != () or n_test.dtype.kind not in "iu":
            raise UserDataError("n_test must be one whole number (how many of the first images are held out)")
        n_test = int(n_test)
    return x, y, names, n_test, _stored_recipe(recipe)


def _stored_recipe(value: np.ndarray | None) -> Recipe | None:
    """The recipe an .npz of this app's carries (a dict's text), or None: never evaluated, only parsed."""
    if value is None or value.shape != () or value.dtype.kind != "U":
        return None
    try:
        d = ast.literal_eval(str(value)[:500])
        return Recipe(**{k: d[k] for k in ("color", "size", "crop", "invert") if k in d}) if isinstance(d, dict) else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


# --- making them a dataset -------------------------------------------------------------------------


def convert(img: Image.Image, recipe: Recipe) -> np.ndarray:
    """One decoded picture as the recipe says: (C, S, S) uint8."""
    if recipe.crop == "mnist":
        invert = {"auto": None, "always": True, "never": False}[recipe.invert]
        return (preprocess.to_mnist(preprocess.to_gray(img), invert=invert).x * 255).round().astype(np.uint8)[None]
    if recipe.color:
        rgba = img.convert("RGBA")
        rgb = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
        a = np.asarray(rgb.resize((recipe.size, recipe.size), Image.Resampling.LANCZOS), np.uint8).transpose(2, 0, 1)
        return 255 - a if recipe.invert == "always" else a
    gray = preprocess.to_gray(img)
    small = np.asarray(
        Image.fromarray((gray * 255).round().astype(np.uint8)).resize((recipe.size, recipe.size), Image.Resampling.LANCZOS),
        np.float32,
    )  # fmt: skip
    border = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    flip = recipe.invert == "always" or (recipe.invert == "auto" and np.median(border) > 127)  # dark ink on light paper
    return (255 - small if flip else small).round().astype(np.uint8)[None]


def from_images(
    items: list[tuple[str, str | None, bytes]],
    recipe: Recipe,
    name: str,
    test_share: float = 0.1,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> UserData:
    """A dataset from (path, label, bytes) items: decoded safely, converted, split into train and test.
    One budget for them all (count, decoded pixels); `should_stop` is asked between images."""
    if len(items) > MAX_IMAGES:
        raise UserDataError(f"{len(items):,} images; at most {MAX_IMAGES:,} make a dataset")
    arrays, labels, skipped = [], [], []
    spent = 0
    for path, label, blob in items:
        if should_stop is not None and should_stop():
            raise UserDataError("stopped: cancelled, or over the job's time limit")
        try:
            img = preprocess.open_image(blob)
            spent += img.info.get("decoded_pixels", img.width * img.height)
            if spent > MAX_DECODED_PIXELS:
                raise UserDataError(
                    f"the images hold over {MAX_DECODED_PIXELS / 1e9:.0f} billion pixels in all: refused (make them smaller)"
                )
            arrays.append(convert(img, recipe))
            labels.append(label)
        except UserDataError:
            raise  # over the job's budget: the whole set is refused, not this picture skipped
        except preprocess.ImageError as e:
            skipped.append(f"{path}: {e}")
        except (OSError, ValueError, MemoryError) as e:  # a mode Pillow opened but cannot convert
            skipped.append(f"{path}: cannot be converted ({e})")
    if len(arrays) < 2:
        raise UserDataError("fewer than 2 usable images" + (f" ({len(skipped)} skipped: {skipped[0]})" if skipped else ""))
    names = sorted(set(labels)) if all(label is not None for label in labels) else None
    y = np.array([names.index(label) for label in labels]) if names else None
    return _split(np.stack(arrays), y, names, recipe, name, test_share, seed, skipped=skipped)


def from_npz(data: bytes, name: str, test_share: float = 0.1, seed: int = 0) -> UserData:
    """A dataset from an .npz (this app's own download, or any x / y arrays)."""
    x, y, names, n_test, recipe = read_npz(data)
    return from_arrays(x, y, names, name, test_share, seed, n_test=n_test, recipe=recipe)


def from_arrays(
    x: np.ndarray,
    y: np.ndarray | None,
    names: list[str] | None,
    name: str,
    test_share: float = 0.1,
    seed: int = 0,
    n_test: int | None = None,
    recipe: Recipe | None = None,
) -> UserData:
    """A dataset from arrays: x (N, H, W), (N, H, W, C) or (N, C, H, W), uint8 or floats in [0, 1].
    `recipe`: how the images were made, when known (this app's download), else read from their shape."""
    if x.ndim not in (3, 4) or not 2 <= len(x) <= MAX_IMAGES:
        raise UserDataError(f"x must be 2 to {MAX_IMAGES:,} images, (N, H, W) or (N, H, W, C); got shape {x.shape}")
    if x.ndim == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
        x = x.transpose(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)
    if x.ndim == 3:
        x = x[:, None]
    c, h, w = x.shape[1:]
    if c not in (1, 3) or h != w or h not in SIZES:
        raise UserDataError(f"images must be square, {list(SIZES)} pixels, gray or colour; got {c}x{h}x{w}: resize them first")
    if x.dtype != np.uint8:
        if not np.issubdtype(x.dtype, np.floating) or not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
            raise UserDataError("x must be uint8 (0-255) or floats in [0, 1]")
        x = (x * 255).round().astype(np.uint8)
    if y is not None and names is None:
        names = [str(i) for i in range(int(y.max()) + 1)]
    if y is not None and int(y.max()) >= len(names):
        raise UserDataError(f"labels go up to {int(y.max())} but only {len(names)} names are given")
    if recipe is None or recipe.shape != (c, h, w):
        recipe = Recipe(color=c == 3, size=h)
    if n_test is not None and 0 < n_test < len(x):  # this app's own download: the same split again
        return _split(x, y, names, recipe, name, test_share, seed, n_test=n_test)
    return _split(x, y, names, recipe, name, test_share, seed)


def _split(x, y, names, recipe, name, test_share, seed, *, n_test: int | None = None, skipped=()) -> UserData:
    n = len(x)
    if n_test is None:
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).numpy()
        n_test = min(n - 1, max(1, round(test_share * n)))
        x, y = x[perm], (y[perm] if y is not None else None)
    xt = torch.from_numpy(np.ascontiguousarray(x))
    yt = torch.from_numpy(y).long() if y is not None else None
    train = ImageSet(xt[n_test:], yt[n_test:] if yt is not None else None, name)
    test = ImageSet(xt[:n_test], yt[:n_test] if yt is not None else None, name)
    return UserData(name, train, test, names, recipe, list(skipped))


# torchvision's other sets, by name: (class, keyword arguments, label names)
TORCHVISION = {
    "kmnist": ("KMNIST", {}, ["お", "き", "す", "つ", "な", "は", "ま", "や", "れ", "を"]),
    "emnist-letters": ("EMNIST", {"split": "letters"}, [chr(ord("a") + i) for i in range(26)]),
    "qmnist": ("QMNIST", {"what": "test10k"}, [str(i) for i in range(10)]),
    "cifar10": ("CIFAR10", {}, ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]),
}


def fetch(key: str, root: Path, n: int = 5_000, test_share: float = 0.1) -> UserData:
    """The test split of one of torchvision's sets (downloaded on first use into `root`), up to `n`
    images, as a dataset: KMNIST, EMNIST letters, QMNIST, CIFAR-10 (colour), each at its own size."""
    if key not in TORCHVISION:
        raise UserDataError(f"unknown set {key!r}; choose from {sorted(TORCHVISION)}")
    import torchvision

    cls, kwargs, names = TORCHVISION[key]
    train_kw = {"train": False} if cls != "QMNIST" else {}
    try:
        ds = getattr(torchvision.datasets, cls)(root=str(root), download=True, **kwargs, **train_kw)
    except Exception as e:  # offline: URLError, socket errors, a missing or partial file
        raise UserDataError(f"{cls} could not be downloaded ({type(e).__name__}: {e}); this machine may be offline") from None
    x = np.asarray(ds.data[:n])
    y = np.asarray(ds.targets[:n])
    if y.ndim > 1:  # QMNIST's targets carry more columns: the class is the first
        y = y[:, 0]
    if key == "emnist-letters":  # letters are 1..26, stored transposed
        y, x = y - 1, x.transpose(0, 2, 1)
    return from_arrays(x, y.astype(np.int64), names, key, test_share)


def slug(stem: str) -> str:
    """A dataset's name from a file's or a set's: lower case, letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "images"


def load(path: str | Path, recipe: Recipe, name: str | None = None) -> UserData:
    """A dataset from a path (the CLI): a .zip, a folder, or an .npz."""
    path = Path(path)
    name = name or slug(path.stem)
    if path.is_dir():
        return from_images(read_folder(path), recipe, name)
    if not path.is_file():
        raise UserDataError(f"{path} is not a file or a folder")
    data = path.read_bytes()
    if path.suffix.lower() == ".npz":
        return from_npz(data, name)
    if path.suffix.lower() == ".zip":
        return from_images(read_zip(data), recipe, name)
    raise UserDataError(f"{path.name}: give a .zip of images, a folder, or an .npz")


def describe(d: UserData) -> str:
    c, size, _ = d.shape
    n = len(d.train) + len(d.test)
    text = f"{n:,} images, {'colour' if c == 3 else 'gray'} {size}×{size}, "
    if d.labels:
        counts = Counter(torch.cat([d.train.y, d.test.y]).tolist())
        text += f"{len(d.labels)} classes (" + ", ".join(f"{d.labels[k]} {v}" for k, v in sorted(counts.items())) + ")"
    else:
        text += "no labels"
    return text + f"; {len(d.test)} held out to test"

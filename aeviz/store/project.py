"""A project file: all of a student's work in one zip (weights, recipes, metrics, loss histories,
image sets), downloadable and importable by any aeviz. Teachable Machine's project file is the precedent.

    project.json           {"format": "aeviz-project", "version": 1, "models": [...], "datasets": [...]}
    models/<name>.safetensors
    datasets/<name>.npz

Reading checks the container only (size, members, the manifest's fields and version); each
checkpoint and image set is then checked by `aeviz.checkpoint` and `aeviz.userdata` as any upload is.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

FORMAT = "aeviz-project"
VERSION = 1
MAX_BYTES = 512 * 2**20  # uncompressed, in all
MAX_MEMBERS = 64


class ProjectError(ValueError):
    """A file that is not an aeviz project this version can read; the message is for the student."""


@dataclass
class Project:
    models: list[dict] = field(default_factory=list)  # title, dataset, metrics, history, checkpoint (bytes)
    datasets: list[dict] = field(default_factory=list)  # name, title, npz (bytes)


def write(project: Project) -> bytes:
    buf = io.BytesIO()
    manifest = {"format": FORMAT, "version": VERSION, "models": [], "datasets": []}
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, d in enumerate(project.datasets):
            path = f"datasets/{i}.npz"
            zf.writestr(path, d["npz"])
            manifest["datasets"].append({"name": d["name"], "title": d["title"], "file": path})
        for i, m in enumerate(project.models):
            path = f"models/{i}.safetensors"
            zf.writestr(path, m["checkpoint"])
            entry = {k: m[k] for k in ("title", "dataset", "metrics", "history")}
            manifest["models"].append({**entry, "file": path})
        zf.writestr("project.json", json.dumps(manifest, indent=1))
    return buf.getvalue()


def read(data: bytes) -> Project:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ProjectError("it is not a zip file (an aeviz project is one)") from None
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_BYTES:
        raise ProjectError(f"it holds more than an aeviz project can ({MAX_MEMBERS} files, {MAX_BYTES // 2**20} MB)")
    try:
        manifest = json.loads(zf.read("project.json"))
    except KeyError:
        raise ProjectError("it has no project.json: not an aeviz project") from None
    except (ValueError, zipfile.BadZipFile, OSError):
        raise ProjectError("its project.json is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ProjectError("its project.json is not an aeviz project's")
    version = manifest.get("version")
    if not isinstance(version, int) or version < 1:
        raise ProjectError("its project.json has no valid version")
    if version > VERSION:
        raise ProjectError(f"it was made by a newer aeviz (project version {version}, this one reads {VERSION}): update aeviz")
    project = Project()
    try:
        for d in manifest.get("datasets", []):
            name, title = _text(d, "name"), _text(d, "title")
            project.datasets.append({"name": name, "title": title, "npz": _member(zf, d)})
        for m in manifest.get("models", []):
            metrics = m.get("metrics") or {}
            history = m.get("history") or []
            if not isinstance(metrics, dict) or not isinstance(history, list):
                raise ProjectError("a model's metrics or history is damaged")
            metrics = {str(k): float(v) for k, v in metrics.items() if isinstance(v, int | float)}
            history = [float(v) for v in history[:10_000] if isinstance(v, int | float)]
            project.models.append({"title": _text(m, "title"), "dataset": _text(m, "dataset"), "metrics": metrics,
                                   "history": history, "checkpoint": _member(zf, m)})  # fmt: skip
    except (TypeError, AttributeError):
        raise ProjectError("its project.json is damaged") from None
    return project


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        raise ProjectError(f"an entry's {key} is missing or damaged")
    return value


def _member(zf: zipfile.ZipFile, entry: dict) -> bytes:
    path = entry.get("file")
    if not isinstance(path, str):
        raise ProjectError("an entry names no file")
    try:
        return zf.read(path)
    except KeyError:
        raise ProjectError(f"{path[:60]} is listed but missing") from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ProjectError(f"{path[:60]} is damaged") from None

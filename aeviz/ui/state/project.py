"""A student's work as one project file (aeviz.store.project): everything they keep, out and back in,
each model and image set checked on the way in as an upload is."""

from __future__ import annotations

import re

from aeviz import checkpoint
from aeviz.limits import LIMITS
from aeviz.ui.state.keys import own_datasets, own_models
from aeviz.ui.state.session import add_dataset, add_own, shapes


def export_project() -> bytes:
    """Everything this student keeps, as one project file (aeviz.store.project)."""
    from aeviz.store import project

    models = [dict(title=m.title, dataset=m.info.dataset, metrics=m.info.metrics, history=m.history, checkpoint=m.checkpoint)
              for m in own_models().values()]  # fmt: skip
    sets = [dict(name=n, title=d.name, npz=d.to_npz()) for n, d in own_datasets().items()]
    return project.write(project.Project(models, sets))


def import_project(blob: bytes) -> str:
    """A project file's models and image sets, each checked as an upload is, kept as this student's:
    what to tell them. Raises ProjectError (a file that is not a project) or ValueError (over a limit)."""
    from aeviz import userdata
    from aeviz.store import project

    p = project.read(blob)
    renamed, done = {}, []
    for d in p.datasets:
        try:
            data = userdata.from_npz(d["npz"], d["title"][:24])
        except userdata.UserDataError as e:
            raise project.ProjectError(f"its image set {d['title'][:40]} is damaged: {e}") from None
        renamed[d["name"]] = add_dataset(data)
        done.append(f"image set {data.name}")
    for m in p.models:
        try:
            model, _ = checkpoint.from_bytes(m["checkpoint"], max_params=LIMITS.max_params)
        except checkpoint.CheckpointError as e:
            raise project.ProjectError(f"its model {m['title'][:40]} is damaged: {e}") from None
        dataset = renamed.get(m["dataset"], m["dataset"])
        if shapes().get(dataset) != tuple(model.config.shape):
            dataset = next((n for n, s in shapes().items() if s == tuple(model.config.shape)), None)
        if dataset is None:
            continue  # no images of its shape here: nothing could show it
        add_own(model, title=re.sub(r"[^\w ,.×-]+", "_", m["title"])[:60], dataset=dataset, blob=m["checkpoint"],
                metrics=m["metrics"], history=m["history"])  # fmt: skip
        done.append("model")
    models = sum(x == "model" for x in done)
    return f"Imported {models} models and {len(done) - models} image sets"

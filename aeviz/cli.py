"""Command line: `python -m aeviz train | eval | list | lectures | serve | dask-tls | db | zoo`. Bad arguments exit 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aeviz import checkpoint, presets
from aeviz.config import BACKBONES, FAMILIES, NOISES, OPTIMIZERS, RECON_LOSSES, SPARSITY, UPSAMPLERS
from aeviz.data import DATASETS, DataUnavailable, load


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m aeviz", description="Train, evaluate and list autoencoders.")
    sub = p.add_subparsers(dest="command", required=True)
    _add_train(sub.add_parser("train", help="train one model and save it as a safetensors checkpoint"))

    e = sub.add_parser("eval", help="print a model's test metrics")
    e.add_argument("model", help="a pretrained name (see `list`) or a checkpoint path")
    e.add_argument("--dataset", choices=[*DATASETS, "patterns", "random"], help="default: the model's own")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.add_argument("--data", type=Path, help="your own images (.zip, folder, .npz), made as the model's training images were")

    sub.add_parser("list", help="list model families, presets and pretrained models")

    m = sub.add_parser("lectures", help="the lecture map: each teachable item, its status and where it is in the app")
    m.add_argument("--json", action="store_true", help="one JSON object per item (id, lecture, title, status, url)")

    _add_serve(sub.add_parser("serve", help="replicas behind HAProxy and a Dask cluster, in the foreground (Ctrl-C stops all)"))

    t = sub.add_parser("dask-tls", help="a key and certificate for a deployment's Dask cluster (deploy/ mounts them)")
    t.add_argument("folder", type=Path, help="where to write ca.pem and key.pem (made mode 0700)")
    t.add_argument("--new", action="store_true", help="replace a pair already there (restart every Dask container and replica)")

    d = sub.add_parser("db", help="the store of what students make (AEVIZ_DB_URL, AEVIZ_STORE_URL)")
    d.add_argument(
        "action", choices=["upgrade", "sweep", "where"],
        help="upgrade: apply the schema's migrations; sweep: delete work past AEVIZ_DROPIN_HOURS; where: print the URLs",
    )  # fmt: skip

    z = sub.add_parser("zoo", help="retrain every pretrained model into pretrained/")
    z.add_argument("--data-dir", type=Path, help="folder with MNIST/ and FashionMNIST/ (sets AEVIZ_DATA_DIR)")
    z.add_argument("--only", nargs="*", help="retrain only these names")
    return p


def _add_train(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", choices=FAMILIES, help="a family (its lecture preset), or give --preset")
    p.add_argument("--preset", choices=list(presets.PRESETS), help="a lecture recipe, as the Train page offers it")
    p.add_argument("--dataset", choices=[*DATASETS, "patterns", "random"], help="default: mnist, or the preset's")
    p.add_argument("--latent", type=int, help="latent size (default: the lecture's)")
    p.add_argument("--hidden", type=_sizes, help="hidden sizes, e.g. 128,64 (empty for none)")
    p.add_argument("--recon", choices=RECON_LOSSES)
    p.add_argument("--backbone", choices=BACKBONES)
    p.add_argument("--upsample", choices=UPSAMPLERS)
    p.add_argument("--sparsity", choices=SPARSITY)
    p.add_argument("--beta", type=float)
    p.add_argument("--rho", type=float)
    p.add_argument("--noise", choices=NOISES)
    p.add_argument("--noise-level", type=float, help="above 0: train on corrupted inputs (a denoiser)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="learning rate (alpha)")
    p.add_argument("--optimizer", choices=OPTIMIZERS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-samples", type=int, help="train on the first N images only")
    p.add_argument("--out", type=Path, default=Path("runs"), help="folder for the checkpoint")
    p.add_argument("--data", type=Path, help="your own images: a .zip (class sub-folders are labels), a folder, or an .npz")
    p.add_argument("--color", action="store_true", help="with --data: colour images (3 channels)")
    p.add_argument("--size", type=int, help="with --data: images resized to S x S (28, 32 or 64; default 28, colour 32)")
    p.add_argument("--crop", choices=["resize", "mnist"], default="resize", help="with --data: how pictures become images")
    p.add_argument("--invert", choices=["auto", "always", "never"], default="auto")


def _add_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replicas", type=int, default=2, help="streamlit servers behind the balancer")
    p.add_argument("--workers", type=int, default=1, help="Dask workers (one core each) for the training jobs")
    p.add_argument("--port", type=int, default=8501, help="where HAProxy listens")
    p.add_argument("--host", default="127.0.0.1", help="HAProxy's address: 0.0.0.0 to serve the room's network")
    p.add_argument(
        "--scheduler-host",
        default="127.0.0.1",
        help="where the Dask scheduler listens; a LAN address lets other machines' workers join (trusted networks only)",
    )
    p.add_argument("--scheduler-port", type=int, default=0, help="the Dask scheduler's port (default: any free one)")
    tls = "the Dask cluster speaks TLS, with a key made for this start (in the logs folder, mode 0700)"
    p.add_argument("--dask-tls", action="store_true", help=tls)
    p.add_argument(
        "--https-cert", type=Path,
        help="HAProxy serves HTTPS with this PEM (the site's certificate chain, then its key); the room's network sees no upload",
    )  # fmt: skip
    p.add_argument("--print-haproxy-cfg", action="store_true", help="print the config deploy/compose.yaml uses, and exit")


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def _progress(total: int):
    from tqdm import tqdm

    bar = tqdm(total=total, unit="step", dynamic_ncols=True, file=sys.stderr)

    def on_step(s: dict) -> None:
        bar.update(1)
        bar.set_postfix(epoch=s["epoch"], loss=f"{s['loss']:.3f}", img_s=f"{s['samples_per_s']:.0f}", refresh=False)

    return bar, on_step


def cmd_train(a: argparse.Namespace) -> int:
    from aeviz import build_model, evaluate
    from aeviz.training import fit

    if (a.model is None) == (a.preset is None):
        raise ValueError("give a --model family or a --preset (see `python -m aeviz list`)")
    if a.preset:
        p = presets.PRESETS[a.preset]
        model_cfg, train_cfg, dataset, name = p.model, p.train, a.dataset or p.dataset, a.preset
        if not dataset and a.data is None:
            raise ValueError(f"the {a.preset} preset trains on your images: give --data (with --color for colour images)")
    else:
        dataset, name = a.dataset or "mnist", a.model
        model_cfg, train_cfg = presets.default(a.model, dataset)
    fields = ("latent", "hidden", "recon", "backbone", "upsample", "sparsity", "beta", "rho", "noise", "noise_level")
    model_cfg = model_cfg.replace(**{k: v for k in fields if (v := getattr(a, k)) is not None})
    t_over = {"epochs": a.epochs, "batch_size": a.batch_size, "lr": a.lr, "optimizer": a.optimizer, "max_samples": a.max_samples}
    train_cfg = train_cfg.replace(seed=a.seed, **{k: v for k, v in t_over.items() if v is not None})
    meta_data = {}
    if a.data is not None:
        from aeviz import userdata

        recipe = userdata.Recipe(color=a.color, size=a.size or (32 if a.color else 28), crop=a.crop, invert=a.invert)
        own = userdata.load(a.data, recipe)
        train_set, test_set, dataset = own.train, own.test, own.name
        meta_data = {"data": {"name": own.name, **own.recipe.to_dict()}}
        print(f"{a.data}: {userdata.describe(own)}", file=sys.stderr)
    else:
        train_set, test_set = load(dataset, "train"), load(dataset, "test")
    model_cfg = model_cfg.replace(shape=train_set.shape)
    model = build_model(model_cfg, seed=a.seed)
    n = min(len(train_set), train_cfg.max_samples or len(train_set))
    steps = (len(model_cfg.hidden) + 1) if train_cfg.greedy else -(-n // min(train_cfg.batch_size, n))  # layers, or batches
    bar, on_step = _progress(train_cfg.epochs * steps)
    with bar:
        history = fit(model, train_set, train_cfg, on_step=on_step)
    metrics = evaluate(model, test_set)
    out = a.out / f"{dataset}-{name}.safetensors"
    checkpoint.save(
        model, out, dataset=dataset, recipe=train_cfg.to_dict(), metrics=metrics, seconds=history.seconds, **meta_data
    )
    print(f"trained {name} on {dataset} in {history.seconds:.1f} s: " + _fmt(metrics))
    for e in history.epochs if train_cfg.greedy else ():  # a stacked AE: each layer pair's own last loss
        print(f"  layer {e['layer']}: trained alone on the codes below it, loss {e['loss']:.4f}")
    print(f"saved {out}")
    return 0


def _fmt(metrics: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.4f}" if abs(v) < 100 else f"{k} {v:.1f}" for k, v in metrics.items())


def cmd_eval(a: argparse.Namespace) -> int:
    from aeviz import evaluate

    models = checkpoint.read_manifest()["models"]
    meta: dict = {}
    if a.model in models:
        model, own = checkpoint.load_pretrained(a.model), models[a.model]["dataset"]
    elif Path(a.model).is_file():
        model, meta = checkpoint.load(a.model)
        own = meta.get("dataset")
    else:
        raise checkpoint.CheckpointError(f"{a.model!r} is neither a pretrained model ({', '.join(models)}) nor a file")
    if a.data is not None:  # new images, made as the model's training images were (the recipe in its metadata)
        import torch

        from aeviz import userdata

        recipe = (meta.get("data") or {}) if a.model not in models else {}
        recipe = userdata.Recipe(**{k: v for k, v in recipe.items() if k in ("color", "size", "crop", "invert")})
        if recipe.shape != tuple(model.config.shape):
            recipe = userdata.Recipe(color=model.config.shape[0] == 3, size=model.config.shape[1])
        data = userdata.load(a.data, recipe)
        test, dataset = userdata.ImageSet(torch.cat([data.train.x, data.test.x]), None, data.name), str(a.data)
    else:
        dataset = a.dataset or own
        if dataset is None:
            raise ValueError("the checkpoint does not say which dataset it is for: give --dataset or --data")
        test = load(dataset, "test")
    if tuple(test.shape) != tuple(model.config.shape):
        raise ValueError(f"the model takes {model.config.shape} images, {dataset} has {test.shape}")
    metrics = evaluate(model, test)
    if a.json:
        print(json.dumps({"model": a.model, "dataset": dataset, **metrics}))
    else:
        print(f"{a.model} on {dataset} test: " + _fmt(metrics))
    return 0


def cmd_list(_: argparse.Namespace) -> int:
    print("families: " + ", ".join(FAMILIES))
    print("presets (--preset):")
    for key, p in presets.PRESETS.items():
        print(f"  {key:14s} {p.title}")
    print("pretrained:")
    models = checkpoint.read_manifest()["models"]
    for name, info in models.items():
        m = info.get("metrics", {})
        print(f"  {name:24s} {info['config']['family']:9s} mse {m.get('mse', float('nan')):.4f}")
    return 0


def cmd_zoo(a: argparse.Namespace) -> int:
    import os

    if a.data_dir:
        os.environ["AEVIZ_DATA_DIR"] = str(a.data_dir)
    from aeviz import zoo

    zoo.build(only=a.only)
    return 0


def cmd_lectures(a: argparse.Namespace) -> int:
    from aeviz import lectures

    if a.json:
        print(json.dumps([i.to_dict() for i in lectures.ITEMS], ensure_ascii=False, indent=1))
        return 0
    for i in lectures.ITEMS:
        print(f"{i.id:28s} {i.status:8s} {i.url:48s} {i.title}")
    c = lectures.counts()
    print(f"{c['items']} items: {c['live']} live, {c['partial']} partial, {c['missing']} missing")
    return 0


def cmd_serve(a: argparse.Namespace) -> int:
    from aeviz import serve

    cert = str(a.https_cert) if a.https_cert else None
    if a.print_haproxy_cfg:  # the path as the balancer's container sees it: not checked here
        print(serve.compose_haproxy_cfg(a.replicas, cert), end="")
        return 0
    if a.https_cert and not a.https_cert.is_file():
        raise FileNotFoundError(f"--https-cert: no file {a.https_cert}")
    return serve.serve(a.replicas, a.workers, a.port, a.host, a.scheduler_host, a.scheduler_port, a.dask_tls,
                       str(a.https_cert.resolve()) if a.https_cert else None)  # fmt: skip


def cmd_dask_tls(a: argparse.Namespace) -> int:
    from aeviz import processes

    folder = a.folder.resolve()
    kept = not a.new and processes.tls_usable(folder)
    env = processes.make_tls(folder, keep=not a.new)
    if kept:
        print(f"kept the pair already in {folder} (valid for {processes.TLS_RENEW_DAYS} days more at least)")
    else:  # a new pair: whatever still holds the old one must read this one
        print(f"wrote a new ca.pem and key.pem to {folder} (mode 0700; valid for a year): restart every Dask process and replica")
    print("Give the scheduler, every worker and every replica this environment (with the folder mounted there):")
    print("\n".join(f"{k}={v}" for k, v in env.items()))
    return 0


def cmd_db(a: argparse.Namespace) -> int:
    from aeviz.store import open_store
    from aeviz.store.settings import Settings

    settings = Settings.from_env()
    if a.action == "where":
        print(f"database: {settings.db_url or 'off (AEVIZ_DB_URL=off)'}\nblobs:    {settings.store_url}")
        return 0
    store = open_store(settings)  # migrated to the newest schema on opening
    if store is None:
        print("error: persistence is off (AEVIZ_DB_URL=off)", file=sys.stderr)
        return 1
    if a.action == "upgrade":
        print(f"{settings.db_url}: schema up to date")
    else:
        counts = store.sweep()
        print(f"deleted the work of {counts['people']} people not seen for {settings.dropin_hours:g} h: "
              f"{counts['models']} models, {counts['datasets']} image sets, {counts['jobs']} jobs")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    try:
        commands = {
            "train": cmd_train,
            "eval": cmd_eval,
            "list": cmd_list,
            "zoo": cmd_zoo,
            "serve": cmd_serve,
            "lectures": cmd_lectures,
            "db": cmd_db,
            "dask-tls": cmd_dask_tls,
        }
        return commands[a.command](a)
    except (DataUnavailable, checkpoint.CheckpointError, ValueError, FileNotFoundError, RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        # a bad value is a usage error (2); a missing dataset, a refused checkpoint or a failed start is not (1)
        return 2 if type(e) is ValueError else 1

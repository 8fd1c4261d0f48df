"""``lamp train``, ``lamp eval retrieval``, ``lamp library`` and ``lamp retrieve``: thin shells over
lamp_core.train, lamp_core.eval, lamp_core.library and lamp_core.retrieval."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .assets import DEFAULT_LAMP as DEFAULT_MODEL
from .assets import SHIPPED_LIBRARY
from .errors import LampError


def default_library() -> Path:
    base = os.environ.get("LAMP_LIBRARY")
    if base:
        return Path(base)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "lamp-studio" / "library.sqlite"


def library_to_read(given: str | None) -> tuple[Path, bool]:
    """(file, shipped): ``--library`` as given, else the user's library, else (while the user has none,
    so that searching works on a fresh install) the example library shipped in assets/, read-only."""
    if given:
        return Path(given), False
    user = default_library()
    if not user.exists() and SHIPPED_LIBRARY.is_file():
        return SHIPPED_LIBRARY, True
    return user, False


def _open_to_read(given: str | None):
    from .library import MotionLibrary
    path, shipped = library_to_read(given)
    return MotionLibrary.open(path, create=False, read_only=shipped), shipped


def _which(lib, shipped: bool) -> str:
    """Which library a listing or search read, for its summary line."""
    what = f"{lib.path} ({len(lib)} clips"
    if shipped:
        what += (f": the example library shipped with LaMP Studio, read-only; `lamp library add FILES` "
                 f"starts your own at {default_library()}")
    return what + ")"


def create_user_library(path: Path, empty: bool = False) -> bool:
    """Make the user's default library before the first ``lamp library add``: its folder, and the
    file as a copy of the shipped examples (so searches keep finding them beside the user's clips)
    unless ``empty``. The shipped file is only read; the copy is written beside the target and linked
    into place, so two first adds at once never overwrite each other. True when it copied."""
    import shutil
    path.parent.mkdir(parents=True, exist_ok=True)
    if empty or not SHIPPED_LIBRARY.is_file():
        return False
    tmp = path.with_name(f".{path.name}.{os.getpid()}.copy")
    try:
        shutil.copyfile(SHIPPED_LIBRARY, tmp)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # a filesystem without hard links
            if path.exists():
                return False
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _encoder(model: Path | None):
    from .retrieval import LaMPEncoder
    folder = Path(model) if model else DEFAULT_MODEL
    if not (folder / "model.json").is_file():
        raise LampError(f"{folder}: no LaMP model there (model.json); train one with 'lamp train lamp' "
                        "and pass --model DIR")
    return LaMPEncoder.load(folder)


def cmd_train(args) -> int:
    from .train.all_stages import train_all, trainer_for
    from .train.run_config import load_run
    if args.kind == "all":
        if args.config or args.tokenizer or args.lamp or args.condition or args.batch or args.lr or args.seed:
            raise LampError("lamp train all reads one TOML per stage from --configs DIR; --config, --tokenizer, "
                            "--lamp, --condition, --batch, --lr and --seed are for single models")
        bundle = train_all(args.data, args.out, args.configs, args.only, args.skip, args.device or "auto",
                           args.steps, args.name, int8=not args.float32)
        print(f"{args.out}: every planned stage trained" + (f"; bundle {bundle}" if bundle else ""))
        return 0
    run = load_run(args.kind, args.config, inputs={"tokenizer": args.tokenizer, "lamp": args.lamp,
                                                   "condition": args.condition}, max_steps=args.steps,
                   batch_size=args.batch, lr=args.lr, device=args.device, seed=args.seed)
    result, folder = trainer_for(args.kind)(run, args.data, args.out)
    best = f", best {run.train.select_metric} at {result.best_path.name}" if result.best_path else ""
    print(f"{folder}: {args.kind} trained for {result.steps} steps{best}")
    return 0


def _variants(specs: list[str] | None) -> dict[str, Path]:
    out = {}
    for spec in specs or []:
        name, _, folder = spec.partition("=")
        if not folder:
            raise LampError(f"--variant {spec!r}: expected NAME=FOLDER (a masked transformer's model folder)")
        out[name] = Path(folder)
    return out


def cmd_eval_suite(args) -> int:
    from .eval.suite import SECTIONS, SuiteConfig, run_suite
    from .assets import DEFAULT_BUNDLE
    if args.data is None:
        raise LampError("lamp eval needs --data CORPUS (a folder made by lamp data build), or a WHAT: "
                        "retrieval, generation, vq, captions")
    cfg = SuiteConfig(Path(args.bundle or DEFAULT_BUNDLE), Path(args.data), Path(args.out), n=args.n,
                      repeats=args.repeats, mm_texts=args.mm_texts, caption_limit=args.caption_limit or None,
                      variants=_variants(args.variant), baseline=args.baseline, evaluator=args.evaluator,
                      sections=tuple(args.sections or SECTIONS), fixtures=tuple(Path(f) for f in args.fixture or []))
    out = run_suite(cfg, fresh=args.fresh, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(out.read_text())
    print(f"{out} (and eval.json, sections/)")
    return 0


def cmd_eval_retrieval(args) -> int:
    from .eval.retrieval_eval import evaluate_models, held_out_combinations, write_report
    models = [Path(m) for m in args.model]
    reports = evaluate_models(models, Path(args.data), args.split, args.repeats)
    held = held_out_combinations(models, Path(args.data)) if args.split == "test" else None
    out = write_report(reports, Path(args.out), Path(args.data), args.split, held)
    print(out.read_text())
    print(f"{out} (and {out.with_suffix('.json').name})")
    return 0


def cmd_eval_vq(args) -> int:
    from .data.layout import load_split
    from .eval.vq_eval import evaluate_tokenizer
    from .models.io import load_model
    model, mean, std, model_id, _ = load_model(args.model, expect="vq")
    report = evaluate_tokenizer(model, load_split(Path(args.data), args.split), mean, std)
    print(f"{model_id} on {args.data} ({args.split}):")
    print("\n".join("  " + line for line in report.lines()))
    return 0


def cmd_eval_generation(args) -> int:
    from .engine import Engine
    from .eval.generation_eval import Evaluator, evaluate_generation, write_generation_report
    from .assets import DEFAULT_BUNDLE
    engine = Engine.load(args.model or DEFAULT_BUNDLE)
    engines = {f"{engine.name} (all codebooks)": (engine, True), f"{engine.name} (coarse codebook)": (engine, False)}
    for name, folder in _variants(args.variant).items():
        engines[f"{name} (coarse codebook)"] = (engine.with_masked_transformer(folder), False)
    from .eval.suite import SuiteConfig, evaluator_folder
    evaluator = Evaluator(evaluator_folder(SuiteConfig(Path(args.model or DEFAULT_BUNDLE), Path(args.data), Path("."),
                                                       evaluator=args.evaluator)))

    def progress(done, total):
        if done % 32 == 0 or done == total:
            print(f"  generated {done}/{total}", file=sys.stderr, flush=True)

    rows = evaluate_generation(engines, evaluator, Path(args.data), args.split, args.n, progress=progress,
                               repeats=args.repeats, mm_texts=args.mm_texts)
    out = write_generation_report(rows, Path(args.out), evaluator, Path(args.data), args.split)
    print(out.read_text())
    return 0


def cmd_library(args) -> int:
    from .library import MotionLibrary
    if args.action == "add":
        path = Path(args.library) if args.library else default_library()
        if not args.library and not path.exists() and create_user_library(path, args.empty):
            print(f"created your library {path} as a copy of the shipped example library ({SHIPPED_LIBRARY}); "
                  f"to start empty instead, delete it and add with --empty")
        enc = None if args.no_embed else _encoder(args.model)
        with MotionLibrary.open(path) as lib:
            ids, failed = lib.add_files([Path(p) for p in args.paths], embedder=enc)
        for p, why in failed:
            print(f"skipped {p}: {why}")
        print(f"{path}: added {len(ids)} clips ({len(failed)} skipped)")
        return 0 if ids or not failed else 1
    if args.action == "reembed":
        path = Path(args.library) if args.library else default_library()
        with MotionLibrary.open(path, create=False) as lib:
            n = lib.reembed(_encoder(args.model))
        print(f"{path}: embedded {n} clips")
        return 0
    lib, shipped = _open_to_read(args.library)
    with lib:
        clips = lib.list(args.filter)
        for c in clips:
            cap = c.captions[0] if c.captions else ""
            print(f"{c.id:6d}  {c.name[:32]:32s} {c.frames / c.fps:6.1f} s  {cap[:60]}")
        print(f"listed {len(clips)} of {_which(lib, shipped)}")
    return 0


def cmd_retrieve(args) -> int:
    from .formats import read
    enc = _encoder(args.model)
    lib, shipped = _open_to_read(args.library)
    with lib:
        if args.motion:
            hits = lib.search_motion(enc, read(args.motion), top=args.top, auto_embed=True)
        elif args.text is not None:
            hits = lib.search_text(enc, args.text, top=max(args.top, args.rerank or 0), auto_embed=True)
            if args.rerank:
                feats = [lib.motion(h.clip.id).features for h in hits]
                order = enc.rerank(args.text, [(i, h.score) for i, h in enumerate(hits)], feats)
                hits = [type(hits[i])(hits[i].clip, p) for i, p in order]
            hits = hits[: args.top]
        else:
            raise LampError("give a text query or --motion FILE")
        searched = f"searched {_which(lib, shipped)}"
    if args.json:  # stdout stays pure JSON
        print(searched, file=sys.stderr)
        print(json.dumps([{"id": h.clip.id, "name": h.clip.name, "score": round(h.score, 4),
                           "captions": list(h.clip.captions), "source": h.clip.source} for h in hits], indent=2))
    else:
        print(searched)
        for rank, h in enumerate(hits, 1):
            print(f"{rank:2d}. {h.score:6.3f}  #{h.clip.id} {h.clip.name}  {h.clip.captions[0] if h.clip.captions else ''}")
    return 0


def add_model_parsers(sub) -> None:
    from .train.all_stages import STAGE_NAMES
    from .train.run_config import KINDS
    t = sub.add_parser("train", help="train a model (lamp: the LaMP Q-Former; baseline: contrastive dual encoder; "
                                     "vq: the residual VQ motion tokenizer; t2m, residual, length, pose: "
                                     "the generators; captioner: the prefix captioner over LaMP; caption-baseline: "
                                     "the TM2T-like captioner over motion tokens; evaluator: the independent "
                                     "text/motion embedding that scores generation; all: every stage in order, "
                                     "then a bundle)")
    t.add_argument("kind", choices=KINDS + ("all",))
    t.add_argument("--data", required=True, type=Path, help="HumanML3D-layout folder (lamp data build)")
    t.add_argument("--out", required=True, type=Path, help="run folder (resumes if it holds a checkpoint)")
    t.add_argument("--config", type=Path, default=None, help="TOML with [train], [model], [loss] tables")
    t.add_argument("--steps", type=int, default=None)
    t.add_argument("--batch", type=int, default=None)
    t.add_argument("--lr", type=float, default=None)
    t.add_argument("--device", default=None, help="auto, cpu, cuda, cuda:1 ...")
    t.add_argument("--seed", type=int, default=None)
    t.add_argument("--tokenizer", type=Path, default=None,
                   help="a tokenizer folder (lamp train vq): lamp adds the text -> motion-token loss; "
                        "the generators learn its codes; caption-baseline reads its codes")
    t.add_argument("--lamp", type=Path, default=None, help="t2m/residual/length/pose: the LaMP folder whose text "
                                                          "features condition them; captioner: whose motion queries "
                                                          "prefix the captions")
    t.add_argument("--condition", choices=("lamp", "minilm"), default=None,
                   help="text features for the generators: lamp (default) or frozen MiniLM (ablation)")
    t.add_argument("--configs", type=Path, default=None,
                   help="all: folder of STAGE.toml files (e.g. configs/); a missing file means built-in defaults")
    t.add_argument("--only", nargs="+", choices=STAGE_NAMES, default=None, help="all: just these stages")
    t.add_argument("--skip", nargs="+", choices=STAGE_NAMES, default=None, help="all: every stage but these")
    t.add_argument("--name", default="lamp-studio", help="all: the bundle's name")
    t.add_argument("--float32", action="store_true", help="all: bundle float32 weights, not int8")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="evaluate a bundle: every table in one report (or one table: WHAT)",
                       description="With no WHAT: the whole suite (generation incl. ablation variants and held-out "
                                   "combinations, tokenizer, retrieval, captioning) into OUT/eval.md and eval.json; "
                                   "finished sections are reused on a rerun.")
    e.add_argument("--data", type=Path, help="HumanML3D-layout corpus (lamp data build)")
    e.add_argument("--bundle", type=Path, default=None, help="model bundle (default: the shipped one)")
    e.add_argument("--out", type=Path, default=Path("reports"), help="report folder (default reports/)")
    e.add_argument("--n", type=int, default=128, help="captions for the generation tables (default 128)")
    e.add_argument("--repeats", type=int, default=3, help="generations of the whole set (default 3)")
    e.add_argument("--mm-texts", type=int, default=8, help="MultiModality: captions, 30 motions each (default 8)")
    e.add_argument("--caption-limit", type=int, default=300, help="test clips to caption (default 300; 0: all)")
    e.add_argument("--variant", action="append", help="NAME=FOLDER: a masked transformer to compare (ablations)")
    e.add_argument("--baseline", type=Path, default=None, help="retrieval baseline folder (lamp train baseline)")
    e.add_argument("--evaluator", type=Path, default=None, help="evaluator folder (default: the bundle's)")
    e.add_argument("--fixture", action="append", help="also caption this file (e.g. a BVH of an unseen skeleton)")
    e.add_argument("--sections", nargs="+", default=None, help="only these sections")
    e.add_argument("--fresh", action="store_true", help="recompute sections even if a finished one matches")
    e.set_defaults(func=cmd_eval_suite)
    esub = e.add_subparsers(dest="eval_command", required=False, metavar="WHAT")
    r = esub.add_parser("retrieval", help="text<->motion retrieval (R@k, MedR) for LaMP and baselines")
    r.add_argument("--model", nargs="+", required=True, type=Path, help="model folders (train/.../model)")
    r.add_argument("--data", required=True, type=Path)
    r.add_argument("--split", default="test")
    r.add_argument("--repeats", type=int, default=20)
    r.add_argument("--out", type=Path, default=Path("reports/retrieval.md"))
    r.set_defaults(func=cmd_eval_retrieval)
    g = esub.add_parser("generation", help="text-to-motion: R-precision, FID, MM-Dist, Diversity under an "
                                           "independent evaluator, for a bundle and ablation variants")
    g.add_argument("--model", type=Path, default=None, help="model bundle (default: the shipped one)")
    g.add_argument("--variant", action="append", help="NAME=FOLDER: another masked transformer to compare")
    g.add_argument("--evaluator", type=Path, default=None,
                   help="the evaluator folder (default: the bundle's evaluator/; a baseline folder also works)")
    g.add_argument("--repeats", type=int, default=1, help="generations of the whole set (95%% interval over them)")
    g.add_argument("--mm-texts", type=int, default=0, help="MultiModality over this many captions x 30 motions")
    g.add_argument("--data", required=True, type=Path)
    g.add_argument("--split", default="test")
    g.add_argument("--n", type=int, default=256, help="test clips to generate for (default 256)")
    g.add_argument("--out", type=Path, default=Path("reports/generation.md"))
    g.set_defaults(func=cmd_eval_generation)
    v = esub.add_parser("vq", help="tokenizer reconstruction error (MPJPE, mm) and codebook usage")
    v.add_argument("--model", required=True, type=Path, help="tokenizer folder (lamp train vq ... /model)")
    v.add_argument("--data", required=True, type=Path)
    v.add_argument("--split", default="test")
    v.set_defaults(func=cmd_eval_vq)
    from .caption_commands import add_caption_eval_parser
    add_caption_eval_parser(esub)

    lib = sub.add_parser("library", help="your motion library: add, list, re-embed")
    lsub = lib.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = lsub.add_parser("add", help="add motion files (BVH, .npy)")
    a.add_argument("paths", nargs="+")
    a.add_argument("--no-embed", action="store_true", help="store only; embed later with 'lamp library reembed'")
    a.add_argument("--empty", action="store_true", help="when this creates your default library, start it empty "
                                                         "instead of as a copy of the shipped example clips")
    ls = lsub.add_parser("list", help="list clips")
    ls.add_argument("filter", nargs="?", default=None, help="name or caption substring")
    re_ = lsub.add_parser("reembed", help="compute vectors for the current model")
    for p in (a, ls, re_):
        p.add_argument("--library", default=None, help="library file (default $LAMP_LIBRARY, else "
                       "~/.local/share/lamp-studio/library.sqlite; list reads the shipped examples until that exists)")
        p.add_argument("--model", default=None, type=Path, help="LaMP model folder")
    lib.set_defaults(func=cmd_library)

    q = sub.add_parser("retrieve", help="search the library by text or by example motion")
    q.add_argument("text", nargs="?", default=None)
    q.add_argument("--motion", default=None, help="a motion file to search by example")
    q.add_argument("--top", type=int, default=10)
    q.add_argument("--rerank", type=int, default=0, metavar="K", help="re-rank the top K with the matching head")
    q.add_argument("--json", action="store_true")
    q.add_argument("--library", default=None, help="library file (default: yours, as for 'lamp library'; "
                                                    "the shipped example library while you have none)")
    q.add_argument("--model", default=None, type=Path)
    q.set_defaults(func=cmd_retrieve)

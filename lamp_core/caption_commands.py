"""``lamp caption FILE...`` and ``lamp eval captions``: thin shells over lamp_core.captioning."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import LampError


def _captioner(args):
    from .captioning.captioner import Captioner
    from .assets import DEFAULT_BUNDLE
    return Captioner.load(Path(args.model or DEFAULT_BUNDLE), kind=args.kind, device=args.device)


def cmd_caption(args) -> int:
    from .captioning.captioner import DecodeOptions, format_timed
    options = DecodeOptions(method=args.method, beams=args.beams, n_best=args.n_best, seed=args.seed)
    captioner = _captioner(args)
    results, failed = [], 0
    for f in args.files:
        try:
            timed = captioner.caption_file(f, options, window_seconds=args.window)
        except (LampError, ValueError, OSError) as e:
            failed += 1
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            results.append({"file": str(f), "error": msg})
            if not args.json:
                print(f"lamp caption: error: {msg}" if str(f) in msg else f"lamp caption: error: {f}: {msg}",
                      file=sys.stderr)
            continue
        results.append({"file": str(f), "caption": format_timed(timed), "spans": [t.to_dict() for t in timed]})
        if not args.json:
            prefix = f"{f}: " if len(args.files) > 1 else ""
            print(prefix + format_timed(timed))
            if args.n_best > 1 and len(timed) == 1:
                for c in timed[0].captions[1:]:
                    print(f"    ({c.score:.3f}) {c.text}")
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
    return 1 if failed else 0


def cmd_eval_captions(args) -> int:
    from .eval.caption_eval import evaluate_captioners, write_caption_report
    from .assets import DEFAULT_BUNDLE
    report = evaluate_captioners(Path(args.model or DEFAULT_BUNDLE), Path(args.data), split=args.split,
                                 beams=args.beams, limit=args.limit, bert_prompts=args.prompts,
                                 fixtures=[Path(p) for p in args.fixture or []], kinds=tuple(args.kinds))
    out = write_caption_report(report, Path(args.out))
    print(out.read_text())
    print(f"{out} (and {out.with_suffix('.json').name})")
    return 0


def add_caption_parser(sub) -> None:
    c = sub.add_parser("caption", help="describe motion files in words (BVH, HumanML3D .npy)",
                       description="Caption motion files with the bundle's captioner. Clips longer than the "
                                   "model's window (~10 s) get timed captions per window.")
    c.add_argument("files", nargs="+", type=Path)
    c.add_argument("--beams", type=int, default=5, help="beam width (default 5)")
    c.add_argument("--n-best", type=int, default=1, help="also print the next best captions with their scores")
    c.add_argument("--method", choices=("beam", "greedy", "sample"), default="beam")
    c.add_argument("--seed", type=int, default=0, help="for --method sample")
    c.add_argument("--window", type=float, default=4.0, help="seconds per timed caption on long clips (default 4)")
    c.add_argument("--kind", choices=("prefix", "lamp", "baseline"), default="prefix",
                   help="prefix: the dedicated captioner (default); lamp: LaMP's own decoder; baseline: TM2T-like")
    c.add_argument("--json", action="store_true", help="print JSON (captions, scores, spans)")
    c.add_argument("--model", type=Path, default=None, help="model bundle (default assets/models/default)")
    c.add_argument("--device", default="cpu")
    c.set_defaults(func=cmd_caption)


def add_caption_eval_parser(esub) -> None:
    e = esub.add_parser("captions", help="BLEU, ROUGE-L, CIDEr, BERTScore, content accuracy, LaMP-BertScore")
    e.add_argument("--data", required=True, type=Path, help="HumanML3D-layout folder (lamp data build)")
    e.add_argument("--model", type=Path, default=None, help="model bundle (default assets/models/default)")
    e.add_argument("--split", default="test")
    e.add_argument("--beams", type=int, default=5)
    e.add_argument("--limit", type=int, default=None, help="caption N clips spread evenly over the split (quicker)")
    e.add_argument("--prompts", type=int, default=64, help="LaMP-BertScore: how many test captions to generate from")
    e.add_argument("--kinds", nargs="+", choices=("prefix", "lamp", "baseline"), default=["prefix", "lamp", "baseline"],
                   help="which captioners to score (default all three)")
    e.add_argument("--fixture", action="append", help="also caption this file (e.g. a BVH from an unseen skeleton)")
    e.add_argument("--out", type=Path, default=Path("reports"))
    e.set_defaults(func=cmd_eval_captions)

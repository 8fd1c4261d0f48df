"""Caption metrics: BLEU-1..4, ROUGE-L, CIDEr-D and BERTScore, as pure functions over strings.

BLEU, ROUGE-L and CIDEr reproduce ``pycocoevalcap`` 1.2 number for number (including its constants
and quirks), because motion-captioning papers (TM2T, MotionGPT) report that toolkit's values; we
re-implement rather than depend on it (its tokenizer needs Java, its scorers are a few loops).
BERTScore follows the ``bert_score`` package (0.3.13) but with the local MiniLM, as nothing can be
downloaded here; its numbers are therefore ours, not comparable with papers using roberta-large.

``candidates`` is one caption per clip; ``references`` one list of reference captions per clip.
BLEU/ROUGE/CIDEr tokenize with :func:`tokenize`; BERTScore sees the raw (stripped) strings.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from functools import lru_cache

import numpy as np

BERTSCORE_LAYER = 6  # MiniLM's last layer (it has 6)
BERTSCORE_MODEL = f"all-MiniLM-L6-v2 (local), layer {BERTSCORE_LAYER}, no idf, no rescaling"

_CLITIC = re.compile(r"(?<=\w)(n't|'(?:s|re|ve|ll|d|m))\b")
_TOKEN = re.compile(r"n't|'(?:s|re|ve|ll|d|m)\b|\d+(?:[.,]\d+)+|\w+(?:[-/]\w+)*")


def tokenize(text: str) -> list[str]:
    """Lower-cased words without punctuation, close to pycocoevalcap's PTBTokenizer (minus Java):
    clitics split off as PTB does ("person's" -> "person 's", "don't" -> "do n't"), hyphenated words
    and decimals kept whole, every punctuation token dropped."""
    text = re.sub(r"\bcannot\b", "can not", text.lower())
    return _TOKEN.findall(_CLITIC.sub(r" \1", text))


def _check(candidates, references) -> None:
    if isinstance(candidates, str) or not isinstance(candidates, (list, tuple)):
        raise TypeError(f"candidates must be a list of strings, got {type(candidates).__name__}")
    if isinstance(references, str) or not isinstance(references, (list, tuple)):
        raise TypeError("references must be a list with one list of reference strings per candidate, "
                         f"got {type(references).__name__}")
    if not candidates:
        raise ValueError("no candidates: expected at least one caption to score")
    if len(candidates) != len(references):
        raise ValueError(f"{len(candidates)} candidates but {len(references)} reference lists: expected "
                         "one list of reference captions per candidate")
    for i, (cand, refs) in enumerate(zip(candidates, references)):
        if not isinstance(cand, str):
            raise TypeError(f"candidates[{i}] must be a string, got {type(cand).__name__}")
        if isinstance(refs, str) or not isinstance(refs, (list, tuple)):
            raise TypeError(f"references[{i}] must be a list of reference strings, got "
                             f"{type(refs).__name__}")
        if not refs:
            raise ValueError(f"candidate {i} has no references: expected at least one reference caption")
        for j, ref in enumerate(refs):
            if not isinstance(ref, str):
                raise TypeError(f"references[{i}][{j}] must be a string, got {type(ref).__name__}")
            if not tokenize(ref):
                raise ValueError(f"references[{i}][{j}] = {ref!r}: expected a non-empty caption")


def _ngrams(words: list[str], n: int) -> Counter:
    return Counter(tuple(words[i:i + k]) for k in range(1, n + 1) for i in range(len(words) - k + 1))


def bleu(candidates: list[str], references: list[list[str]], max_n: int = 4) -> dict[str, float]:
    """Corpus BLEU-1..max_n as pycocoevalcap's ``Bleu`` (bleu_scorer.py, option "closest"): clipped
    n-gram counts summed over the corpus, the reference length closest to each candidate's (ties to
    the shorter) for the brevity penalty, and its tiny/small constants against zero division."""
    _check(candidates, references)
    tiny, small = 1e-15, 1e-9
    guess, correct = [0] * max_n, [0] * max_n
    testlen = reflen = 0
    for cand, refs in zip(candidates, references):
        words = tokenize(cand)
        ref_words = [tokenize(r) for r in refs]
        maxcounts: Counter = Counter()
        for rw in ref_words:
            maxcounts |= _ngrams(rw, max_n)  # per-n-gram max over the references
        for gram, count in _ngrams(words, max_n).items():
            correct[len(gram) - 1] += min(maxcounts.get(gram, 0), count)
        for k in range(max_n):
            guess[k] += max(0, len(words) - k)
        testlen += len(words)
        reflen += min((abs(len(rw) - len(words)), len(rw)) for rw in ref_words)[1]
    scores, product = [], 1.0
    for k in range(max_n):
        product *= float(correct[k] + tiny) / (guess[k] + small)
        scores.append(product ** (1.0 / (k + 1)))
    ratio = (testlen + tiny) / (reflen + small)
    if ratio < 1:
        scores = [s * math.exp(1 - 1 / ratio) for s in scores]
    return {f"bleu_{k + 1}": float(s) for k, s in enumerate(scores)}


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag, row[0] = 0, 0
        for j, y in enumerate(b, 1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(candidates: list[str], references: list[list[str]], beta: float = 1.2) -> float:
    """ROUGE-L as pycocoevalcap's ``Rouge``: LCS precision and recall, each maximised over the
    references separately, combined as F-beta (beta=1.2), averaged over candidates."""
    _check(candidates, references)
    scores = []
    for cand, refs in zip(candidates, references):
        words = tokenize(cand)
        lcs = [(_lcs(tokenize(r), words), len(tokenize(r))) for r in refs]
        prec = max(n / max(1, len(words)) for n, _ in lcs)  # pycocoevalcap: "".split(" ") has 1 token
        rec = max(n / length for n, length in lcs)
        scores.append((1 + beta**2) * prec * rec / (rec + beta**2 * prec) if prec and rec else 0.0)
    return float(np.mean(scores))


def cider(candidates: list[str], references: list[list[str]], n: int = 4, sigma: float = 6.0) -> float:
    """CIDEr-D as pycocoevalcap's ``Cider``: tf-idf n-gram vectors (n=1..4) with document frequency
    taken from this set's references, candidate weights clipped to the reference's, a Gaussian length
    penalty (sigma=6; "length" is the bigram count, as there), mean over n and references, x10."""
    _check(candidates, references)
    cands = [_ngrams(tokenize(c), n) for c in candidates]
    refs = [[_ngrams(tokenize(r), n) for r in rs] for rs in references]
    df: Counter = Counter(g for rs in refs for g in set().union(*rs))
    log_docs = np.log(float(len(candidates)))

    def vec(counts: Counter):
        v: list[dict] = [{} for _ in range(n)]
        for gram, tf in counts.items():
            v[len(gram) - 1][gram] = float(tf) * (log_docs - np.log(max(1.0, df[gram])))
        norms = [math.sqrt(sum(w * w for w in d.values())) for d in v]
        return v, norms, sum(tf for g, tf in counts.items() if len(g) == 2)

    scores = []
    for cand, rs in zip(cands, refs):
        v_h, n_h, len_h = vec(cand)
        total = np.zeros(n)
        for r in rs:
            v_r, n_r, len_r = vec(r)
            penalty = np.e ** (-(float(len_h - len_r) ** 2) / (2 * sigma**2))
            for k in range(n):
                val = sum(min(w, v_r[k].get(g, 0.0)) * v_r[k].get(g, 0.0) for g, w in v_h[k].items())
                if n_h[k] != 0 and n_r[k] != 0:
                    val /= n_h[k] * n_r[k]
                total[k] += val * penalty
        scores.append(np.mean(total) / len(rs) * 10.0)
    return float(np.mean(scores))


@lru_cache(maxsize=1)
def _bert_model():
    """MiniLM as a plain BERT encoder (cached: loading costs ~2 s on one thread)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel

    from ..text.minilm import model_dir
    return AutoModel.from_pretrained(str(model_dir()), local_files_only=True).eval()


def _embed(sentences: list[str], batch: int) -> dict:
    """Unit-length layer-6 embeddings of every word piece, [CLS]/[SEP] included, per sentence."""
    import torch

    from ..text.minilm import load_tokenizer
    tok, model = load_tokenizer(), _bert_model()
    limit = min(tok.model_max_length, model.config.max_position_embeddings)
    order = sorted(sentences, key=len, reverse=True)  # similar lengths batch with less padding
    out = {}
    with torch.inference_mode():
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            enc = tok(chunk, padding=True, truncation=True, max_length=limit, return_tensors="pt")
            hidden = model(**enc).last_hidden_state.float()
            for s, h, m in zip(chunk, hidden, enc["attention_mask"]):
                e = h[: int(m.sum())]
                out[s] = e / e.norm(dim=-1, keepdim=True)
    return out


def bert_score(candidates: list[str], references: list[list[str]], batch: int = 64) -> dict[str, float]:
    """BERTScore (Zhang et al. 2020) as ``bert_score.score(idf=False)`` computes it, with MiniLM's
    last layer (see ``BERTSCORE_MODEL``): greedy max-cosine matching of word pieces; [CLS]/[SEP]
    carry no weight but, as there, may be matched. With several references each of P, R, F1 is the
    maximum over them (the package's per-column max). Means over candidates."""
    _check(candidates, references)
    cands = [c.strip() for c in candidates]
    refs = [[r.strip() for r in rs] for rs in references]
    emb = _embed(sorted({*cands, *(r for rs in refs for r in rs)} - {""}), max(1, batch))
    p_all, r_all, f_all = [], [], []
    for cand, rs in zip(cands, refs):
        best = [-math.inf] * 3 if cand else [0.0] * 3  # an empty candidate scores 0, as in bert_score
        for ref in rs if cand else ():
            sim = emb[cand] @ emb[ref].T
            p = sim[1:-1].max(dim=1).values.mean().item()
            r = sim[:, 1:-1].max(dim=0).values.mean().item()
            f = 2 * p * r / (p + r) if p + r else 0.0
            best = [max(best[0], p), max(best[1], r), max(best[2], f)]
        p_all.append(best[0])
        r_all.append(best[1])
        f_all.append(best[2])
    return {"precision": float(np.mean(p_all)), "recall": float(np.mean(r_all)), "f1": float(np.mean(f_all))}


def caption_metrics(candidates: list[str], references: list[list[str]],
                    with_bertscore: bool = True) -> dict[str, float]:
    """Every metric in one flat dict: bleu_1..bleu_4, rouge_l, cider and (unless disabled, as it
    needs the text model) bertscore_precision/recall/f1."""
    out = {**bleu(candidates, references), "rouge_l": rouge_l(candidates, references),
           "cider": cider(candidates, references)}
    if with_bertscore:
        out.update({f"bertscore_{k}": v for k, v in bert_score(candidates, references).items()})
    return out

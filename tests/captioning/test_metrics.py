"""Caption metrics against the reference implementations and textbook cases.

The hard-coded numbers below came from pycocoevalcap 1.2 (Bleu(4) / Rouge() / Cider() called on
dicts of our ``tokenize`` output, skipping its Java PTBTokenizer) and bert_score 0.3.13
(``score(cands, refs, model_type=<local all-MiniLM-L6-v2 folder>, num_layers=6, idf=False)``, with
transformers 5.23 / torch 2.13 CPU) run in a throwaway venv.
"""

from __future__ import annotations

import pytest

from lamp_core.captioning.metrics import (
    BERTSCORE_MODEL,
    bert_score,
    bleu,
    caption_metrics,
    cider,
    rouge_l,
    tokenize,
)

CANDS = ["a person walks forward.", "A man jumps up and down twice", "someone waves with the right hand",
         "the person sits down on a chair, then stands up", "a person turns left and walks",
         "a figure kicks with the left leg", "the person's arms swing while running in a circle"]
REFS = [["a man walks forward slowly.", "someone walks ahead", "a person is walking straight forward"],
        ["a person jumps in place two times", "someone hops up and down"],
        ["a person waves his right hand", "the man raises his right arm and waves",
         "someone greets with the right hand", "waving with the right hand"],
        ["a person sits down and then stands back up", "someone sits on a chair and gets up"],
        ["the person turns to the left and walks forward", "a man turns left then walks away",
         "someone rotates left and walks"],
        ["a person kicks with his left foot", "the man does a kick with the left leg"],
        ["a person runs in a circle", "someone jogs around in a circle swinging arms",
         "the man is running in a circular path"]]
REF_BLEU = [0.8599999999828001, 0.6782329982978581, 0.5036766026138638, 0.30638805675845426]
REF_ROUGE = 0.6376943270366219
REF_CIDER = 2.3650484166970664
REF_BERT = (0.8282637596130371, 0.8299341201782227, 0.8235974311828613)  # P, R, F1

# short candidates (brevity penalty), an empty one, a duplicate, three references
CANDS2 = ["a person walks", "", "jumps", "a person walks", "the man stumbles backwards and falls"]
REFS2 = [["a man walks forward slowly", "someone walks ahead"], ["a person stands still", "someone is standing"],
         ["a person jumps high", "jumping"], ["a person walks in a circle", "walking around"],
         ["a person trips and falls backward", "the man loses balance and falls down",
          "someone stumbles back and falls"]]
REF2_BLEU = [0.7254956237933744, 0.5257979295243557, 0.34058379918195736, 5.79674293829102e-05]
REF2_ROUGE = 0.4187770246267237
REF2_CIDER = 1.063063230991364
# bert_score 0.3.13 crashes on "" under transformers 5 (build_inputs_with_special_tokens is gone);
# these come from it with that one call patched to return [CLS, SEP]: the empty candidate scores 0
REF2_BERT = (0.6778086423873901, 0.6054582595825195, 0.6366233825683594)


def test_tokenize_like_ptb():
    assert tokenize("A person walks forward, then turns LEFT.") == \
        ["a", "person", "walks", "forward", "then", "turns", "left"]
    assert tokenize("The person's arms don't move; he can't stop!") == \
        ["the", "person", "'s", "arms", "do", "n't", "move", "he", "ca", "n't", "stop"]
    assert tokenize('walks 2.5 meters -- counter-clockwise (slowly) "jumps" ...') == \
        ["walks", "2.5", "meters", "counter-clockwise", "slowly", "jumps"]
    assert tokenize("  ?! ") == []


def test_matches_pycocoevalcap():
    for cands, refs, ref_bleu, ref_rouge, ref_cider in [(CANDS, REFS, REF_BLEU, REF_ROUGE, REF_CIDER),
                                                        (CANDS2, REFS2, REF2_BLEU, REF2_ROUGE, REF2_CIDER)]:
        b = bleu(cands, refs)
        assert [b[f"bleu_{k}"] for k in range(1, 5)] == pytest.approx(ref_bleu, abs=1e-6)
        assert rouge_l(cands, refs) == pytest.approx(ref_rouge, abs=1e-6)
        assert cider(cands, refs) == pytest.approx(ref_cider, abs=1e-6)


def test_matches_bert_score():
    for cands, refs, ref in [(CANDS, REFS, REF_BERT), (CANDS2, REFS2, REF2_BERT)]:
        s = bert_score(cands, refs)
        assert (s["precision"], s["recall"], s["f1"]) == pytest.approx(ref, abs=1e-4)
    assert "MiniLM" in BERTSCORE_MODEL and "layer 6" in BERTSCORE_MODEL


def test_identical_and_disjoint():
    same = ["a person walks forward and then turns around"]
    refs = [["a person walks forward and then turns around"]]
    assert bleu(same, refs)["bleu_4"] == pytest.approx(1.0, abs=1e-6)
    assert rouge_l(same, refs) == pytest.approx(1.0)
    assert bert_score(same, refs)["f1"] == pytest.approx(1.0, abs=1e-4)
    other = ["cat sleeps on sofa"]
    assert bleu(other, refs)["bleu_1"] == pytest.approx(0.0, abs=1e-6)
    assert rouge_l(other, refs) == 0.0
    assert cider(other * 2, refs * 2) == 0.0


def test_bertscore_prefers_paraphrase():
    para = bert_score(["a man is running"], [["a person jogs quickly"]])["f1"]
    unrelated = bert_score(["a cat sleeps on the sofa"], [["a person jogs quickly"]])["f1"]
    assert para > unrelated


def test_caption_metrics_keys():
    m = caption_metrics(CANDS, REFS)
    assert set(m) == {"bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l", "cider",
                      "bertscore_precision", "bertscore_recall", "bertscore_f1"}
    assert m["bertscore_f1"] == pytest.approx(REF_BERT[2], abs=1e-4)
    assert "bertscore_f1" not in caption_metrics(CANDS, REFS, with_bertscore=False)


@pytest.mark.parametrize("cands, refs, message", [
    (["a"], [["a"], ["b"]], "one list of reference captions per candidate"),
    ([], [], "no candidates"),
    (["a", "b"], [["a"], []], "candidate 1 has no references"),
    (["a"], [["a", " . "]], "expected a non-empty caption"),
])
@pytest.mark.parametrize("fn", [bleu, rouge_l, cider, bert_score, caption_metrics])
def test_bad_input(fn, cands, refs, message):
    with pytest.raises(ValueError, match=message):
        fn(cands, refs)


@pytest.mark.parametrize("cands, refs, message", [
    (["a"], ["a person walks"], "must be a list of reference strings"),  # refs not grouped per candidate
    ("a person walks", [["a person walks"]], "candidates must be a list"),
    ([None], [["a"]], "must be a string"),
])
@pytest.mark.parametrize("fn", [bleu, rouge_l, cider, bert_score, caption_metrics])
def test_wrong_types(fn, cands, refs, message):
    with pytest.raises(TypeError, match=message):
        fn(cands, refs)

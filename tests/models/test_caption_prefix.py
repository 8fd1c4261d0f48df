"""The prefix captioner: LaMP queries as a prefix for the builtin MiniLM decoder or for any local
transformers causal LM with LoRA (peft). Users care that decoding with the key/value cache gives what
the full model gives, that only the small trained parts are saved, and that a saved captioner comes
back identical and refuses a language model folder whose weights changed."""

from __future__ import annotations

import json

import pytest
import torch

from lamp_core.captioning.decoding import beam_search, greedy
from lamp_core.errors import LampError
from lamp_core.models.caption_prefix import CachedStep, PrefixCaptioner, PrefixCaptionerConfig, prefix_caption_loss
from lamp_core.models.io import load_model, save_model


@pytest.fixture(scope="module")
def builtin():
    torch.manual_seed(0)
    return PrefixCaptioner(PrefixCaptionerConfig(n_query=12, prefix_tokens=4, lm_layers=2, lora_rank=4)).eval()


def _gpt2_config():
    from transformers import GPT2Config
    return GPT2Config(vocab_size=30522, n_positions=64, n_embd=32, n_layer=2, n_head=2, bos_token_id=101,
                      eos_token_id=102)


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    """A randomly initialised GPT-2-shaped causal LM folder with MiniLM's tokenizer (begin/end = CLS/SEP)."""
    from transformers import GPT2LMHeadModel

    from lamp_core.text.minilm import load_tokenizer
    folder = tmp_path_factory.mktemp("tiny-lm")
    torch.manual_seed(0)
    GPT2LMHeadModel(_gpt2_config()).save_pretrained(folder)
    tok = load_tokenizer()
    tok.save_pretrained(folder)
    cfg = json.loads((folder / "tokenizer_config.json").read_text())
    cfg.update(bos_token="[CLS]", eos_token="[SEP]")
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg))
    return folder


def test_cached_decoding_matches_the_full_model(builtin):
    q = torch.randn(3, 12, 384)
    with torch.no_grad():
        p = builtin.prefix(q)
        full = beam_search(lambda ids, rows: builtin.next_logprobs(p, ids, rows), 3, builtin.bos, builtin.eos, 8, width=3)
        cached = beam_search(CachedStep(builtin, p), 3, builtin.bos, builtin.eos, 8, width=3)
        g_full = greedy(lambda ids, rows: builtin.next_logprobs(p, ids, rows), 3, builtin.bos, builtin.eos, 8)
        g_cached = greedy(CachedStep(builtin, p), 3, builtin.bos, builtin.eos, 8)
    for a, b in zip(full, cached):
        assert [h.ids for h in a] == [h.ids for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-4)
    assert [h.ids for h in g_full] == [h.ids for h in g_cached]


def test_only_adapters_projection_and_head_are_saved(builtin, tmp_path):
    saved = set(builtin.state_dict()) - builtin.frozen_names()
    assert saved and all("lora_" in k or k.startswith(("project.", "prefix_pos", "query_", "lm.base_model.model.cls."))
                          for k in saved), sorted(saved)[:5]
    builtin.set_query_stats(torch.randn(5, 12, 384) * 3 + 1)   # the training set's query statistics travel too
    folder = save_model(builtin, None, None, tmp_path / "cap")
    assert (folder / "model.safetensors").stat().st_size < 3e6   # MiniLM's 2 layers and word table are not in it
    again, *_ = load_model(folder, expect="captioner")
    q = torch.randn(2, 12, 384)
    ids, valid = builtin.encode_captions(["a person walks", "someone waves"])
    with torch.no_grad():
        assert torch.allclose(builtin.logits(builtin.prefix(q), ids, valid), again.logits(again.prefix(q), ids, valid),
                              atol=1e-5)


def test_any_local_causal_lm_with_lora(tiny_lm, tmp_path):
    cap = PrefixCaptioner(PrefixCaptionerConfig(n_query=12, prefix_tokens=4, lm=str(tiny_lm), lora_rank=4))
    trainable = [n for n, p in cap.named_parameters() if p.requires_grad]
    assert any("lora_A" in n for n in trainable) and not any("wte" in n and "lora" not in n for n in trainable)
    ids, valid = cap.encode_captions(["a person jumps up", "a person sits down"])
    assert ids[0, 0] == cap.bos and cap.eos in ids[0].tolist()
    opt = torch.optim.Adam([p for p in cap.parameters() if p.requires_grad], 3e-2)
    q = torch.randn(2, 12, 384)
    first = None
    for _ in range(40):
        loss = prefix_caption_loss(cap, q, ids, valid, label_smoothing=0.0)["loss"]
        first = first if first is not None else float(loss.detach())
        opt.zero_grad()
        loss.backward()
        opt.step()
    # the LoRA path learns (a random 32-wide GPT-2 with its frozen 0.02-scale word table cannot get far below
    # uniform, ln 30522 = 10.3, whatever trains: the drop, not the level, is the check)
    assert float(loss) < first - 0.4
    folder = save_model(cap.eval(), None, None, tmp_path / "cap")
    assert json.loads((folder / "model.json").read_text())["lm_sha256"] == cap.lm_digest()
    again, *_ = load_model(folder, expect="captioner")
    with torch.no_grad():
        assert torch.allclose(cap.logits(cap.prefix(q), ids, valid), again.logits(again.prefix(q), ids, valid), atol=1e-5)
    # the adapters belong to those weights: a changed LM folder is refused by name
    from transformers import GPT2LMHeadModel
    torch.manual_seed(1)
    GPT2LMHeadModel(_gpt2_config()).save_pretrained(tiny_lm)
    with pytest.raises(LampError, match="other weights"):
        load_model(folder, expect="captioner")


def test_a_folder_that_is_not_a_language_model_is_a_clear_error(tmp_path):
    with pytest.raises(LampError, match="config.json"):
        PrefixCaptioner(PrefixCaptionerConfig(lm=str(tmp_path)))

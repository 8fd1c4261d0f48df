"""The motion tokenizer: a residual VQ-VAE over normalised 263-d features (MoMask's design).

The encoder is the same temporal convolution stack LaMP reads motion with (4x downsampling); a stack
of ``n_quantizers`` codebooks quantizes what the previous ones left over, so codebook 0 carries the
coarse motion (what the masked transformer predicts) and the rest refine it (the residual
transformer). Codebooks learn by exponential moving averages, and a code nobody picked for a while is
re-seeded from a random encoder output, so no code stays dead. Quantizer dropout (train on a random
prefix of the codebooks) makes decoding from the coarse codebooks alone still give a motion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from .conv import ConvConfig, ModelConfigMixin, MotionConvEncoder, _ResBlock, step_mask

POSITIONS = slice(4, 4 + 21 * 3)  # root-relative joint positions inside a 263-d feature


@dataclass(frozen=True)
class VQConfig(ModelConfigMixin):
    conv: ConvConfig = field(default_factory=lambda: ConvConfig(width=384, out_dim=384, dropout=0.0))
    n_codes: int = 512
    n_quantizers: int = 6
    quantizer_dropout: float = 0.2   # share of training batches that use only a random prefix of the codebooks
    ema_decay: float = 0.99
    commit: float = 0.02             # commitment loss weight
    position_weight: float = 0.5     # extra loss on the joint-position part of the features
    max_frames: int = 196

    @property
    def code_dim(self) -> int:
        return self.conv.out_dim

    @property
    def unit(self) -> int:
        return 2 ** self.conv.down


class EMACodebook(nn.Module):
    """One codebook updated by EMA (no gradients), with dead-code reset from the current batch."""

    def __init__(self, n_codes: int, dim: int, decay: float):
        super().__init__()
        self.decay = decay
        self.register_buffer("codes", torch.zeros(n_codes, dim))
        self.register_buffer("code_sum", torch.zeros(n_codes, dim))
        self.register_buffer("code_count", torch.zeros(n_codes))
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))

    def lookup(self, idx: torch.Tensor) -> torch.Tensor:
        return F.embedding(idx, self.codes)

    def nearest(self, x: torch.Tensor) -> torch.Tensor:
        """(M, D) -> (M,) index of the closest code (squared Euclidean)."""
        d = x.pow(2).sum(1, keepdim=True) - 2 * x @ self.codes.T + self.codes.pow(2).sum(1)[None]
        return d.argmin(1)

    @torch.no_grad()
    def update(self, x: torch.Tensor, idx: torch.Tensor) -> None:
        """EMA of the codes' assigned vectors; codes whose count fell under 1 restart at random inputs."""
        n = self.codes.shape[0]
        if not bool(self.initialised):
            self.codes.copy_(_random_rows(x, n))
            self.code_sum.copy_(self.codes)
            self.code_count.fill_(1.0)
            self.initialised.fill_(True)
            return
        onehot = F.one_hot(idx, n).to(x.dtype)                     # (M, n)
        self.code_sum.mul_(self.decay).add_(onehot.T @ x, alpha=1 - self.decay)
        self.code_count.mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
        alive = (self.code_count >= 1.0)[:, None]
        fresh = _random_rows(x, n)
        self.codes.copy_(torch.where(alive, self.code_sum / self.code_count.clamp(min=1e-6)[:, None], fresh))
        self.code_sum.copy_(torch.where(alive, self.code_sum, fresh))
        self.code_count.copy_(torch.where(alive[:, 0], self.code_count, torch.ones_like(self.code_count)))


def _random_rows(x: torch.Tensor, n: int) -> torch.Tensor:
    """n rows drawn from x (with repetition and a little noise when x has fewer rows)."""
    if x.shape[0] >= n:
        return x[torch.randperm(x.shape[0], device=x.device)[:n]].clone()
    reps = -(-n // x.shape[0])
    y = x.repeat(reps, 1)[:n]
    return y + torch.randn_like(y) * 0.01 / max(x.shape[1], 1) ** 0.5


class MotionConvDecoder(nn.Module):
    """Mirror of the encoder: residual blocks then 2x nearest upsampling per stage, back to 263-d."""

    def __init__(self, cfg: ConvConfig):
        super().__init__()
        self.cfg = cfg
        self.conv_in = nn.Conv1d(cfg.out_dim, cfg.width, 3, padding=1)
        self.blocks = nn.ModuleList(
            nn.ModuleList(_ResBlock(cfg.width, cfg.dilation_growth ** d, cfg.dropout) for d in reversed(range(cfg.depth)))
            for _ in range(cfg.down))
        self.ups = nn.ModuleList(nn.Conv1d(cfg.width, cfg.width, 3, padding=1) for _ in range(cfg.down))
        self.conv_mid = nn.Conv1d(cfg.width, cfg.width, 3, padding=1)
        self.conv_out = nn.Conv1d(cfg.width, cfg.in_dim, 3, padding=1)

    def forward(self, z: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
        """(B, N, code_dim) with (B,) valid steps -> (B, N * 2**down, in_dim), zero past the valid frames."""
        keep = step_mask(steps, z.shape[1])[:, None, :].to(z.dtype)
        h = F.relu(self.conv_in(z.transpose(1, 2) * keep)) * keep    # (B, width, N)
        for blocks, up in zip(self.blocks, self.ups):
            for block in blocks:
                h = block(h, keep)
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            steps = steps * 2
            keep = step_mask(steps, h.shape[-1])[:, None, :].to(h.dtype)
            h = up(h) * keep
        h = F.relu(self.conv_mid(h)) * keep
        return (self.conv_out(h) * keep).transpose(1, 2)             # (B, T, in_dim)


class RVQVAE(nn.Module):
    def __init__(self, cfg: VQConfig = VQConfig()):
        super().__init__()
        self.cfg = cfg
        self.encoder = MotionConvEncoder(cfg.conv)
        self.decoder = MotionConvDecoder(cfg.conv)
        self.quantizers = nn.ModuleList(EMACodebook(cfg.n_codes, cfg.code_dim, cfg.ema_decay)
                                        for _ in range(cfg.n_quantizers))

    def frozen_names(self) -> set[str]:
        return set()

    def training_only_names(self) -> set[str]:
        """The codebooks' EMA statistics: needed to keep training, not to tokenize (bundles leave them out)."""
        return {k for k in self.state_dict() if k.endswith((".code_sum", ".code_count"))}

    # ------------------------------------------------------------------ quantization
    def quantize(self, z: torch.Tensor, keep: torch.Tensor, n_layers: int | None = None):
        """(B, N, D) encoder states -> (straight-through quantized (B, N, D), codes (B, N, Q) with -1 for
        unused codebooks, commitment loss). EMA updates happen in training mode, from valid steps only."""
        with torch.autocast(z.device.type, enabled=False):  # nearest-code distances need float32
            return self._quantize(z.float(), keep, n_layers)

    def _quantize(self, z, keep, n_layers):
        B, N, D = z.shape
        Q = self.cfg.n_quantizers
        n_layers = Q if n_layers is None else n_layers
        flat_keep = keep.reshape(-1)
        residual = z.reshape(B * N, D)                             # (B*N, D)
        total = torch.zeros_like(residual)
        codes = torch.full((B * N, Q), -1, dtype=torch.long, device=z.device)
        commit = z.new_zeros(())
        for q, book in enumerate(self.quantizers[:n_layers]):
            if self.training:
                book.update(residual[flat_keep].detach(), book.nearest(residual[flat_keep].detach()))
            idx = book.nearest(residual.detach())
            chosen = book.lookup(idx)
            if flat_keep.any():
                commit = commit + F.mse_loss(residual[flat_keep], chosen[flat_keep].detach())
            codes[:, q] = idx
            total = total + chosen
            residual = residual - chosen.detach()
        zf = z.reshape(B * N, D)
        quant = zf + (total - zf).detach()                          # straight-through estimator
        codes = codes.masked_fill(~flat_keep[:, None], -1)
        return quant.reshape(B, N, D) * keep[..., None], codes.reshape(B, N, Q), commit

    # ------------------------------------------------------------------ public API
    def encode(self, feats: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T, 263) normalised features -> codes (B, T/4, Q) (-1 past each motion's end) and (B,) steps."""
        z, steps = self.encoder(feats, lengths)
        keep = step_mask(steps, z.shape[1])
        _, codes, _ = self.quantize(z, keep)
        return codes, steps

    def embed_codes(self, codes: torch.Tensor) -> torch.Tensor:
        """(B, N, Q) codes (-1 = unused codebook or padding) -> (B, N, D) summed code vectors."""
        out = None
        for q, book in enumerate(self.quantizers[: codes.shape[-1]]):
            c = codes[..., q]
            v = book.lookup(c.clamp(min=0)) * (c >= 0)[..., None]
            out = v if out is None else out + v
        return out

    def decode(self, codes: torch.Tensor, steps: torch.Tensor | None = None) -> torch.Tensor:
        """(B, N, Q') codes with Q' <= Q (a coarse prefix decodes too) -> (B, N*4, 263) normalised features."""
        if steps is None:
            steps = (codes[..., 0] >= 0).sum(1)
        return self.decoder(self.embed_codes(codes), steps)

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor, n_layers: int | None = None):
        z, steps = self.encoder(feats, lengths)
        keep = step_mask(steps, z.shape[1])
        quant, codes, commit = self.quantize(z, keep, n_layers)
        return self.decoder(quant, steps), codes, commit


def vq_losses(model: RVQVAE, batch: dict, generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Reconstruction (smooth L1 on valid frames) + joint-position term + commitment; codebook usage logged."""
    feats, lengths = batch["feats"], batch["lengths"]
    cfg = model.cfg
    n_layers = None
    if model.training and cfg.quantizer_dropout > 0 and cfg.n_quantizers > 1:
        if float(torch.rand((), generator=generator)) < cfg.quantizer_dropout:
            n_layers = int(torch.randint(1, cfg.n_quantizers + 1, (), generator=generator))
    recon, codes, commit = model(feats, lengths, n_layers)
    T = recon.shape[1]
    valid = step_mask(lengths, T)[..., None].to(recon.dtype)            # (B, T, 1)
    denom = valid.sum().clamp(min=1)
    rec = (F.smooth_l1_loss(recon, feats[:, :T], reduction="none") * valid).sum() / (denom * feats.shape[-1])
    pos = (F.smooth_l1_loss(recon[..., POSITIONS], feats[:, :T, POSITIONS], reduction="none") * valid).sum() \
        / (denom * 63)
    loss = rec + cfg.position_weight * pos + cfg.commit * commit
    used = codes[..., 0][codes[..., 0] >= 0]
    usage = torch.unique(used).numel() / cfg.n_codes if used.numel() else 0.0
    return {"loss": loss, "reconstruction": rec.detach(), "positions": pos.detach(), "commit": commit.detach(),
            "usage_codebook0": torch.tensor(float(usage))}

"""OHMG's text -> key pose, in LaMP's text space: a conditional VAE over single poses.

A caption such as "raises both arms" fits many frames of many clips; a CVAE learns that spread
instead of averaging it into one mushy pose, and sampling its latent gives different, plausible
poses for one text. A pose is the root height plus the 21 root-relative joint positions of one
frame, facing +Z (dims 3..66 of a 263-d HumanML3D feature), normalised with the corpus' stats.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .masked import ConfigDictMixin, uniform

POSE_DIMS = slice(3, 67)  # root height + 21 x 3 root-relative positions inside a 263-d feature


@dataclass(frozen=True)
class PoseGeneratorConfig(ConfigDictMixin):
    cond_dim: int = 384
    pose_dim: int = 64
    latent: int = 32
    hidden: int = 512
    layers: int = 3
    dropout: float = 0.1
    kl_weight: float = 1e-2
    cond_drop: float = 0.1


def _mlp(i: int, h: int, o: int, layers: int, dropout: float) -> nn.Sequential:
    mods: list[nn.Module] = []
    for k in range(layers - 1):
        mods += [nn.Linear(i if k == 0 else h, h), nn.LayerNorm(h), nn.GELU(), nn.Dropout(dropout)]
    mods.append(nn.Linear(h if layers > 1 else i, o))
    return nn.Sequential(*mods)


class PoseGenerator(nn.Module):
    def __init__(self, cfg: PoseGeneratorConfig = PoseGeneratorConfig()):
        super().__init__()
        self.cfg = cfg
        self.null_cond = nn.Parameter(torch.zeros(cfg.cond_dim))
        self.encoder = _mlp(cfg.pose_dim + cfg.cond_dim, cfg.hidden, 2 * cfg.latent, cfg.layers, cfg.dropout)
        self.decoder = _mlp(cfg.latent + cfg.cond_dim, cfg.hidden, cfg.pose_dim, cfg.layers, cfg.dropout)

    def _cond(self, cond: torch.Tensor, drop: torch.Tensor | None) -> torch.Tensor:
        if drop is None:
            return cond
        return torch.where(drop[:, None], self.null_cond.expand_as(cond), cond)

    def forward(self, pose: torch.Tensor, cond: torch.Tensor, drop: torch.Tensor | None = None,
                generator: torch.Generator | None = None):
        """(B, pose_dim) normalised poses, (B, cond_dim) -> (reconstruction, mu, logvar)."""
        c = self._cond(cond, drop)
        mu, logvar = self.encoder(torch.cat([pose, c], -1)).chunk(2, -1)      # (B, 2L) -> 2 x (B, L)
        eps = _randn(mu.shape, generator, mu.device)
        z = mu + eps * (0.5 * logvar).exp()
        return self.decoder(torch.cat([z, c], -1)), mu, logvar

    @torch.no_grad()
    def sample(self, cond: torch.Tensor, temperature: float = 1.0, generator: torch.Generator | None = None
               ) -> torch.Tensor:
        """(B, cond_dim) -> (B, pose_dim) normalised poses; temperature 0 gives the latent's mean pose."""
        z = _randn((cond.shape[0], self.cfg.latent), generator, cond.device) * temperature
        return self.decoder(torch.cat([z, cond], -1))


def _randn(shape, generator: torch.Generator | None, device) -> torch.Tensor:
    where = generator.device if generator is not None else device
    return torch.randn(tuple(shape), generator=generator, device=where).to(device)


def pose_loss(model: PoseGenerator, pose: torch.Tensor, cond: torch.Tensor,
              generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """Smooth-L1 reconstruction + weighted KL; the condition is dropped now and then so the decoder
    also knows the unconditional pose distribution."""
    drop = uniform((pose.shape[0],), generator, pose.device) < model.cfg.cond_drop
    recon, mu, logvar = model(pose, cond, drop, generator)
    rec = F.smooth_l1_loss(recon, pose)
    kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1)).mean()
    return {"loss": rec + model.cfg.kl_weight * kl, "reconstruction": rec.detach(), "kl": kl.detach()}

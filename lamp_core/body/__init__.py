"""SMPL-format bodies: LaMP Studio's generated body (``build``) or a user's SMPL / SMPL-X model,
posed from a ``Motion`` by linear blend skinning (``model``)."""

from .model import DEFAULT_BODY, ENV_VAR, Body, Rig, load_body, smplx_model

__all__ = ["DEFAULT_BODY", "ENV_VAR", "Body", "Rig", "load_body", "smplx_model"]

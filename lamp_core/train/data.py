"""Data order and randomness as pure functions of (seed, epoch, step, rank, sample index).

Nothing depends on how many steps ran in this process, so a resumed run sees the same batches, the same
augmentations and the same dropout masks as an uninterrupted one, whatever ``num_workers`` is.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler
from torch.utils.data.distributed import DistributedSampler

from lamp_core.errors import LampError


def derive_seed(*parts: int) -> int:
    """A well-mixed 63-bit seed from integers (nearby inputs give unrelated streams)."""
    return int(np.random.SeedSequence([int(p) & 0xFFFFFFFF for p in parts]).generate_state(2, np.uint64)[0] >> 1)


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and every GPU); call before building a model for a repeatable init."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def seed_step(seed: int, rank: int, step: int) -> None:
    """Reseed every generator before a training step, so the step's randomness needs no saved RNG state."""
    seed_everything(derive_seed(seed, 1, rank, step))


class _SeededItems(Dataset):
    """Yields ``dataset[i]`` for ``(epoch, i)`` keys after seeding the CPU generators from (seed, epoch, i):
    per-sample augmentation is then independent of worker count, worker order and resumption."""

    def __init__(self, dataset: Dataset, seed: int):
        self.dataset, self.seed = dataset, seed

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, key: tuple[int, int]) -> Any:
        epoch, index = key
        s = derive_seed(self.seed, 2, epoch, index)
        random.seed(s)
        np.random.seed(s % 2**32)
        torch.default_generator.manual_seed(s)
        return self.dataset[index]


class _Keys(Sampler):
    """A fixed list of (epoch, index) keys: the rest of one epoch's shard."""

    def __init__(self, keys: list[tuple[int, int]]):
        self.keys = keys

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)


class EpochLoader:
    """Builds one DataLoader per epoch from a DistributedSampler (world size 1 in a single process), and can
    start mid-epoch by skipping indices instead of loading and discarding batches."""

    def __init__(self, dataset: Dataset, batch_size: int, seed: int, rank: int, world_size: int,
                 collate_fn: Callable | None = None, num_workers: int = 0, pin_memory: bool = False):
        n = len(dataset)  # type: ignore[arg-type]
        if n == 0:
            raise LampError("the training set is empty")
        if batch_size < 1:
            raise LampError(f"batch_size must be at least 1, got {batch_size}")
        self.items = _SeededItems(dataset, seed)
        self.sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
        self.batch_size, self.seed = batch_size, seed
        self.collate_fn, self.num_workers, self.pin_memory = collate_fn, num_workers, pin_memory
        per_rank = len(self.sampler)
        self.drop_last = per_rank >= batch_size  # tiny sets: one short batch per epoch rather than none
        self.steps_per_epoch = max(1, per_rank // batch_size)

    def epoch(self, epoch: int, skip_batches: int = 0) -> DataLoader:
        self.sampler.set_epoch(epoch)
        keys = [(epoch, i) for i in self.sampler][skip_batches * self.batch_size:]
        gen = torch.Generator().manual_seed(derive_seed(self.seed, 3, epoch))  # never touches the global RNG
        return DataLoader(self.items, batch_size=self.batch_size, sampler=_Keys(keys), drop_last=self.drop_last,
                          collate_fn=self.collate_fn, num_workers=self.num_workers, pin_memory=self.pin_memory,
                          generator=gen, worker_init_fn=_worker_init)

    def batches(self, start_step: int) -> Iterator[tuple[int, Any]]:
        """(epoch, batch) forever, starting where step ``start_step`` of an uninterrupted run would be."""
        epoch, skip = divmod(start_step, self.steps_per_epoch)
        while True:
            for batch in self.epoch(epoch, skip):
                yield epoch, batch
            epoch, skip = epoch + 1, 0


def _worker_init(worker_id: int) -> None:
    """Workers get distinct python/numpy seeds too (torch's is set by the DataLoader from its generator)."""
    s = torch.initial_seed()
    random.seed(s)
    np.random.seed(s % 2**32)


def to_device(batch: Any, device: torch.device) -> Any:
    """Move every tensor in a (nested) batch to the device; objects with their own ``.to`` handle themselves."""
    non_blocking = device.type == "cuda"
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=non_blocking)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(to_device(v, device) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(v, device) for v in batch)
    if dataclasses.is_dataclass(batch) and not isinstance(batch, type):
        return dataclasses.replace(batch, **{f.name: to_device(getattr(batch, f.name), device)
                                             for f in dataclasses.fields(batch) if f.init})
    if hasattr(batch, "to") and callable(batch.to):
        return batch.to(device)
    return batch

"""Choosing the device, seeding every random source, and per-device speed settings."""

import random

import numpy as np
import torch


def resolve_device(spec: str | torch.device = "auto") -> torch.device:
    """`auto` picks cuda, then mps, then cpu; anything else is passed to torch.device."""
    if isinstance(spec, torch.device):
        return spec
    if spec != "auto":
        device = torch.device(spec)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"Device {spec} was asked for but CUDA is not available; use --device cpu or auto.")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed torch, numpy and random so that a run on the CPU repeats exactly."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """The mixed-precision dtype for this device, or None to train in float32."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def configure_backends(device: torch.device) -> None:
    """cuDNN on with TF32 matmuls on CUDA; batch shapes vary, so no cudnn.benchmark."""
    if device.type == "cuda":
        torch.backends.cudnn.enabled = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

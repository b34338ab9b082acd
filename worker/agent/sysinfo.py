"""What a worker tells the backend about itself when it registers: host, device, memory, versions."""

import platform
import socket

import psutil
import torch

from worker.version import product_version


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo where there is one, else what `platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "cpu"


def device_memory(device: torch.device) -> tuple[int, int]:
    """(total, free) memory in bytes of `device`: the GPU's own for CUDA (cudaMemGetInfo), else the host's RAM."""
    if device.type == "cuda":
        free, total = torch.cuda.mem_get_info(device)
        return int(total), int(free)
    memory = psutil.virtual_memory()
    return int(memory.total), int(memory.available)


def describe(device: str) -> dict:
    """The registration fields for a worker training on `device` ("cpu", "cuda:0", "mps").

    Keys: host, device, device_name, memory_total_bytes, memory_free_bytes, torch_version,
    cuda_version (None on a CPU-only torch build), version (the product's).
    """
    resolved = torch.device(device)
    if resolved.type == "cuda":
        name = torch.cuda.get_device_name(resolved)
    elif resolved.type == "mps":
        name = f"Apple MPS ({platform.machine()})"
    else:
        name = cpu_name()
    total, free = device_memory(resolved)
    return {
        "host": socket.gethostname(),
        "device": device,
        "device_name": name,
        "memory_total_bytes": total,
        "memory_free_bytes": free,
        "torch_version": torch.__version__,
        "cuda_version": torch.version.cuda,
        "version": product_version(),
    }

"""Worker-test fixtures: tiny trainings on one CPU thread, since the machine is shared."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    """Keep each test on one CPU thread, restoring torch's setting afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)

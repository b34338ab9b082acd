"""The format version of a recorded configuration: every checkpoint and every run carries it.

One constant for both (the checkpoint's "format" key, the runs' `record_format` column), imported by
the worker and by the backend; it imports nothing, so the backend reads it without loading torch.
"""

# 1: checkpoints before the version was recorded (no "format" key): architecture, dataset, hyperparams,
#    state_dict, vocab; their hyperparams may lack fields the contestant had then.
# 2: adds "format" and "tokenizer_version"; "hyperparams" is always the contestant's full resolved model
#    as of the write (fields added since take their old behaviour: worker/contestants/recorded.py).
#    Runs have recorded the full resolved model since the first release (8e43af9), so every run is 2.
RECORD_FORMAT = 2

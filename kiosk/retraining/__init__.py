"""Nightly retraining on the device: learn from what children taught, promote only what is no worse.

Lives here: nightly (the night's work: fine-tune the current model on the labelled drawings with MNIST
replay, then keep the result or set it aside), doubt (which labels are believed), judging (the promotion
gate and the numbers it compares), scoring (accuracy overall and per digit, numpy only), promotion
(verify, keep versions, swap atomically, roll back, the one-at-a-time lock), status (what the kiosk runs
and what the last night did), command (`digit-kiosk retrain [--status | --rollback]`, `download-mnist`).
May import: errors, atomic_write, config, recognition, learning (the numpy engine, MNIST, the styles),
teaching (the feedback store and the report's name). Never pygame, a screen, ui, torch or the trainer.
"""

"""Recognition: strokes -> 28x28 image -> onnxruntime -> Prediction, and which model files run.

Lives here: strokes (the ink), preprocess (the one preprocessing, shared with the trainer),
stroke_channels (the pen's path as seven 28x28 channels that line up with the picture),
stroke_model (the optional model that reads them), fusion (its answer and the CNN's, and the rule),
model_contract (facts trainer and kiosk share), recognizer, gate, model_files (which files run, the
watcher), ink_proof (a model's load check on the example digits), run_limit (a time limit on one
onnxruntime run), explorer_grid (the settings explorer's models), example_digits (digits as strokes).
May import: numpy, opencv, onnxruntime, kiosk.errors, kiosk.config, kiosk.atomic_write. Never
pygame, a screen, ui, voice or teaching: the trainer imports this package without a display.
"""

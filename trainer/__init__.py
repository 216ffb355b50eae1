"""The desktop side: train, evaluate and export the kiosk's digit models (PyTorch in, verified ONNX out), and
the builders of everything the kiosk ships, each a subcommand of `digit-kiosk-trainer` (trainer/__main__.py,
build_commands.py, experiment_commands.py): the models and their table, the gate, the live-training subset,
the voice clips, the compiled catalogs, and the experiments the docs cite (crossval, simulate-retraining).

Imports: trainer may import kiosk (one preprocessing, one model contract); nothing in kiosk imports trainer.
torch, scikit-learn, gTTS, soundfile and Babel are imported only inside the commands that need them, so
`digit-kiosk-trainer --help` works with the kiosk's runtime alone.
"""

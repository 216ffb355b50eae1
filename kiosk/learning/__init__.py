"""The kiosk's own learning engine: the two model kinds, forward and backward, in plain numpy.

torch cannot run on a Pi 4 from PyPI (its aarch64 wheels are CUDA builds that die with SIGILL on a
Cortex-A72), so all learning that happens on the device runs here: the nightly retraining starts from
a shipped or taught ONNX file's weights, live training from random ones. The maths follows torch's
(nn.Linear, nn.Conv2d, nn.MaxPool2d, nn.Dropout, F.cross_entropy, torch.optim.Adam) so the trainer's
tests can hold it to torch step by step. Results go back into ONNX files that pass the kiosk's model
contract; `onnx` is imported only when one is read or written, never when the kiosk starts.

Live training (the Settings tab): live_settings (the child's choices, typed), live_protocol (the job and
the messages between the kiosk and its learner, typed, as JSON lines), live_learner (the child process),
live (the kiosk's side: start, hear, stop, check the model), onnx_bytes (the learned
model's file, written without the onnx package), live_pacing (each phase stays on screen until its line is said).

Also the data it learns from and is judged by, read without torch: mnist (the verified IDX files and
their download), styles (European 1s, 7s, 0s and 2s added to MNIST digits), drawn_digits (real pen
strokes), and stopping (Ctrl-C always stops a long run). The trainer imports these from here.

May import: errors, atomic_write (the learned model file, a downloaded file), recognition (the model
contract, onnxruntime for parity, the preprocessing).
"""

"""Train, evaluate and export the kiosk's digit models (PyTorch in, verified ONNX out)."""
TRAINER_VERSION = "0.1.0"

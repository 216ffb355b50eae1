"""The benchmark suite: every speed, memory and accuracy figure the docs quote, in one table (stderr) and one
JSON (stdout).

- recognition latency, strokes -> answer, p50/p99 on the drawn digits (MLP and CNN)
- the same model in onnxruntime and in PyTorch eager, same process, one image at a time
- fp32 against int8 (onnxruntime static quantization): size, latency, MNIST and drawn accuracy
- the kiosk, fullscreen on its own Xvfb: time to first frame, resident memory, idle and attract-loop CPU
  (benchmark kiosk)
- training time to the target accuracies and peak memory (benchmark training; --skip-training
  reuses its last result)
- retraining on 500 collected drawings: time and peak memory (digit-kiosk-trainer simulate-retraining; needs
  --mnist-only-cnn, since the shipped CNN has seen the drawings' writers)
- live training ("train it yourself"): time to 90/95/97% for both kinds, the learner's memory and the
  kiosk's frame times while it learns (benchmark live-training)
- the kiosk's frame times while drawing 2,000 points, while the answer animates and in the attract
  loop, with incremental ink and with the ink redrawn whole (benchmark frames)

Usage: python -m benchmarks all [--skip-training] [--mnist-only-cnn CNN.onnx] [--out runs/benchmark.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kiosk.recognition.recognizer import Recognizer
from kiosk.learning import drawn_digits, mnist
from trainer.evaluate import drawn_images

PROJECT_ROOT = Path(__file__).resolve().parent.parent

MODELS = PROJECT_ROOT / "exported_models"


def percentiles(times_s: list[float]) -> dict:
    ms = np.array(times_s) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p99_ms": round(float(np.percentile(ms, 99)), 3)}


def onnxruntime_vs_torch(images: np.ndarray) -> dict:
    """One image at a time through the same weights: onnxruntime (as the kiosk runs it) and torch eager."""
    import torch

    from trainer.export import WithSoftmax
    from trainer.from_onnx import load_onnx_model

    torch.set_num_threads(1)  # the kiosk's session uses one thread: compare like with like
    results = {}
    for kind in ("mlp", "cnn"):
        recognizer = Recognizer(MODELS / f"{kind}.onnx")
        model = WithSoftmax(load_onnx_model(MODELS / f"{kind}.onnx")[0]).eval()
        batch = images[:1000].astype(np.float32)[:, None] / 255
        ort_times, torch_times = [], []
        with torch.no_grad():
            for image in batch[:50]:
                recognizer.probabilities(image[None])
                model(torch.from_numpy(image[None]))
            for image in batch:
                started = time.perf_counter()
                recognizer.probabilities(image[None])
                ort_times.append(time.perf_counter() - started)
                tensor = torch.from_numpy(image[None])
                started = time.perf_counter()
                model(tensor)
                torch_times.append(time.perf_counter() - started)
        ort, eager = percentiles(ort_times), percentiles(torch_times)
        results[kind] = {
            "onnxruntime": ort,
            "torch_eager": eager,
            "torch_over_onnxruntime_p50": round(eager["p50_ms"] / ort["p50_ms"], 2),
        }
    return results


def quantized(kind: str, calibration: np.ndarray, folder: Path) -> Path:
    """An int8 copy of the shipped model (static QDQ quantization, calibrated on MNIST training images)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([{"image": calibration[i : i + 1]} for i in range(len(calibration))])

        def get_next(self):
            return next(self.batches, None)

    prepared, out = folder / f"{kind}-prepared.onnx", folder / f"{kind}-int8.onnx"
    quant_pre_process(str(MODELS / f"{kind}.onnx"), str(prepared))
    quantize_static(
        str(prepared),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        per_channel=True,
    )
    return out


def fp32_vs_int8(data, drawn_pictures: np.ndarray, drawn_labels: np.ndarray) -> dict:
    from kiosk.recognition.runtime import ort

    from trainer.evaluate import evaluate, onnx_predictor

    calibration = data.train_images[np.random.default_rng(0).choice(len(data.train_images), 300, replace=False)]
    calibration = calibration.astype(np.float32)[:, None] / 255
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("mlp", "cnn"):
            entry = {}
            for precision, path in (
                ("fp32", MODELS / f"{kind}.onnx"),
                ("int8", quantized(kind, calibration, Path(folder))),
            ):
                predict, _ = onnx_predictor(path)
                options = ort.SessionOptions()  # the bare session: one thread, one image at a time
                options.intra_op_num_threads = 1
                session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                times = []
                for image in data.test_images[:1000].astype(np.float32)[:, None] / 255:
                    started = time.perf_counter()
                    session.run(None, {"image": image[None]})
                    times.append(time.perf_counter() - started)
                entry[precision] = {
                    "bytes": path.stat().st_size,
                    **percentiles(times[50:]),
                    "mnist_test": round(evaluate(predict, data.test_images, data.test_labels).accuracy, 4),
                    "drawn_dev": round(evaluate(predict, drawn_pictures, drawn_labels).accuracy, 4),
                }
            results[kind] = entry
    return results


def run_benchmark(name: str, *args: str) -> dict:
    """Run one benchmark in its own process (python -m benchmarks NAME) and read the JSON it writes."""
    out = PROJECT_ROOT / "runs" / f"bench_{name.replace('-', '_')}.json"
    subprocess.run(
        [sys.executable, "-m", "benchmarks", name, *args, "--out", str(out)],
        check=True,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(out.read_text())


def run_command(command: list[str], out: Path) -> dict:
    """Run one command of the project that writes JSON to --out, and read it."""
    subprocess.run(
        [sys.executable, *command, "--out", str(out)], check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL
    )
    return json.loads(out.read_text())


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-training", action="store_true", help="reuse runs/bench_training.json instead of training"
    )
    parser.add_argument(
        "--mnist-only-cnn",
        type=Path,
        help="the MNIST-only CNN the retraining starts from (without it, no retraining row)",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "runs" / "benchmark.json")
    args = parser.parse_args(argv)
    from kiosk.recognition.runtime import ort as onnxruntime
    import torch

    started = time.monotonic()
    drawn = drawn_digits.load()
    data = mnist.load()
    pictures = drawn_images(drawn)
    report = {
        "measured": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "onnxruntime": onnxruntime.__version__,
            "torch": torch.__version__,
        },
    }
    print("recognition latency ...", file=sys.stderr)
    report["recognition"] = run_benchmark("inference", "--repeats", "1")["results"]
    print("onnxruntime vs torch ...", file=sys.stderr)
    report["onnxruntime_vs_torch"] = onnxruntime_vs_torch(data.test_images)
    print("fp32 vs int8 ...", file=sys.stderr)
    report["fp32_vs_int8"] = fp32_vs_int8(data, pictures, drawn.labels)
    print("kiosk ...", file=sys.stderr)
    report["kiosk"] = run_benchmark("kiosk")
    training_json = PROJECT_ROOT / "runs" / "bench_training.json"
    if args.skip_training and training_json.exists():
        report["training"] = {
            **json.loads(training_json.read_text()),
            "reused": str(training_json.relative_to(PROJECT_ROOT)),
        }
    else:
        print("training (a few minutes) ...", file=sys.stderr)
        report["training"] = run_benchmark("training")
    print("live training ...", file=sys.stderr)
    report["live_training"] = run_benchmark("live-training")
    print("frame times ...", file=sys.stderr)
    report["frames"] = run_benchmark("frames")
    if args.mnist_only_cnn:
        print("retraining ...", file=sys.stderr)
        report["retraining"] = run_command(
            ["-m", "trainer", "simulate-retraining", "--base", str(args.mnist_only_cnn.resolve())],
            PROJECT_ROOT / "runs" / "simulate_retraining.json",
        )
    report["seconds"] = round(time.monotonic() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=1)
    args.out.write_text(text + "\n")
    print(table(report), file=sys.stderr)
    print(text)
    return 0


def table(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"measured {r['measured']} on {m['machine']}, {m['cpus']} CPUs, {m['platform']}; "
        f"onnxruntime {m['onnxruntime']}, torch {m['torch']}",
        "",
        "| what | MLP | CNN | target |",
        "| --- | --- | --- | --- |",
    ]
    rec = r["recognition"]
    lines.append(
        f"| recognition, strokes -> answer, p50 / p99 | {rec['mlp']['p50_ms']} / {rec['mlp']['p99_ms']} ms | "
        f"{rec['cnn']['p50_ms']} / {rec['cnn']['p99_ms']} ms | CNN p99 <= 3 ms |"
    )
    ovt = r["onnxruntime_vs_torch"]
    lines.append(
        "| model only, onnxruntime / torch eager, p50 | "
        f"{ovt['mlp']['onnxruntime']['p50_ms']} / {ovt['mlp']['torch_eager']['p50_ms']} ms "
        f"(torch {ovt['mlp']['torch_over_onnxruntime_p50']}x) | {ovt['cnn']['onnxruntime']['p50_ms']} / "
        f"{ovt['cnn']['torch_eager']['p50_ms']} ms (torch {ovt['cnn']['torch_over_onnxruntime_p50']}x) | |"
    )
    q = r["fp32_vs_int8"]
    for precision in ("fp32", "int8"):
        cells = [
            f"{q[k][precision]['bytes'] / 1e6:.2f} MB, {q[k][precision]['p50_ms']} ms, "
            f"MNIST {q[k][precision]['mnist_test']:.2%}, "
            f"drawn {q[k][precision]['drawn_dev']:.2%}"
            for k in ("mlp", "cnn")
        ]
        lines.append(f"| {precision}: size, p50, accuracy | {cells[0]} | {cells[1]} | |")
    k = r["kiosk"]
    verdicts = ", ".join(
        "pass" if t["pass"] else "FAIL" for t in k.get("targets", {}).values()
    )  # in the targets' order
    lines.append(
        f"| kiosk on {k.get('driver', 'dummy')}: first frame, RSS, idle / attract-loop CPU | "
        f"{k.get('first_frame_seconds')} s, {k.get('rss_mb')} MB, {k.get('idle_cpu_percent_of_one_core')}% / "
        f"{k.get('attract_cpu_percent_of_one_core')}% of a core | | <= 2 s, <= 150 MB, <= 1% / <= 3%"
        f"{f' ({verdicts})' if verdicts else ''} |"
    )
    training = {t["model"]: t for t in r["training"].get("results", [])}
    cells = [
        f"{t.get('seconds_to_target', '?')} s to {t.get('target_accuracy', 0):.1%}, peak {t.get('peak_rss_mb', '?')} MB"
        for t in (training.get("mlp", {}), training.get("cnn", {}))
    ]
    reused = f" (reused {r['training']['reused']})" if "reused" in r["training"] else ""
    lines.append(
        f"| training to target{reused} | {cells[0]} | {cells[1]} | MLP 98% <= 60 s, CNN 99.3% <= 180 s, < 1.5 GB |"
    )
    f = r["frames"]
    inc = f["incremental"]
    lines.append(
        f"| kiosk frames on {f['driver']}, p50 / p99: drawing {f['points']} points (ink redrawn whole), "
        f"answer animation, attract loop | | {inc['drawing']['p50_ms']} / {inc['drawing']['p99_ms']} ms "
        f"({f['whole']['drawing']['p50_ms']} / {f['whole']['drawing']['p99_ms']} ms), "
        f"{inc['answer_animation']['p50_ms']} / {inc['answer_animation']['p99_ms']} ms, "
        f"{inc['attract']['p50_ms']} / {inc['attract']['p99_ms']} ms | p99 <= 33 ms on a Pi |"
    )
    live = {run["settings"]["kind"]: run for run in r["live_training"]["runs"][:2]}
    cells = [
        f"{live[k]['seconds_to']['95%']} / {live[k]['seconds_to']['97%']} s to 95/97%, "
        f"learner {live[k]['learner_peak_rss_mb']} MB, "
        f"frames p99 {live[k]['frames_while_learning']['p99_ms']} ms"
        for k in ("mlp", "cnn")
    ]
    lines.append(
        f"| live training, default settings | {cells[0]} | {cells[1]} "
        "| MLP 95% <= 10 s, CNN 97% <= 60 s, p99 <= 33 ms, <= 100 MB |"
    )
    rt = r.get("retraining")
    if rt:
        lines.append(
            f"| retraining, {rt['drawings_collected']} drawings | | {rt['retrain_seconds_wall']} s, "
            f"{rt['retrain_peak_rss_mb']} MB | <= 600 s, <= 800 MB |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

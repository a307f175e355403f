"""Measures dense GEMM time (bf16 and fp8) and device-memory copy bandwidth on the local GPU.

Run on a machine with a CUDA GPU and PyTorch (this workplace's H200 device machine, 2026-11-30):
    OUT=dir python3 packages/validation/scripts/measure-gemm.py
Writes OUT/gemm.json. Each GEMM is an nn.Linear product x[M,K] @ W[N,K]^T (bf16: F.linear,
cuBLAS; fp8: torch._scaled_mm, e4m3 inputs with per-tensor scales, bf16 output), timed as the
median of 7 replays of a CUDA graph of 20 products. The weights rotate over enough copies
(>= 512 MB) that no product reads its weights from the 60 MB L2 cache, as in a real forward pass.
The shapes are Llama-3-8B's (TP 1) and Llama-3-70B's at TP 4 linear layers.
"""
import json
import math
import os
import subprocess
import time

import torch
import torch.nn.functional as F

OUT = os.environ.get("OUT", ".")
torch.backends.cuda.matmul.allow_tf32 = False
DEV = "cuda"
START = time.time()


def smi():
    try:
        return subprocess.run(
            ["nvidia-smi", "--query-gpu=name,clocks.sm,clocks.mem,power.draw,power.limit,temperature.gpu",
             "--format=csv,noheader"], capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as error:  # noqa: BLE001
        return f"nvidia-smi failed: {error}"


def graph_time(calls, iters=20, reps=7):
    """Median seconds per call of `calls` (a list of thunks, replayed round-robin) in a CUDA graph."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for i in range(3):
            calls[i % len(calls)]()
    torch.cuda.current_stream().wait_stream(stream)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for i in range(iters):
            calls[i % len(calls)]()
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) * 1e-3 / iters)
    times.sort()
    del graph
    return times[len(times) // 2], times[0], times[-1]


SHAPES = [
    ("llama-3-8b qkv", 6144, 4096),
    ("llama-3-8b o", 4096, 4096),
    ("llama-3-8b gate_up", 28672, 4096),
    ("llama-3-8b down", 4096, 14336),
    ("llama-3-70b tp4 qkv", 2560, 8192),
    ("llama-3-70b tp4 o", 8192, 2048),
    ("llama-3-70b tp4 gate_up", 14336, 8192),
    ("llama-3-70b tp4 down", 8192, 3584),
]
MS = [1, 16, 64, 256, 1024, 4096, 16384]

result = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "cuda": torch.version.cuda,
          "smiBefore": smi(), "rows": [], "copy": []}

# Device-memory copy bandwidth: bytes read + written.
for size_gb in (1, 4):
    n = int(size_gb * 2**30 // 2)
    a = torch.empty(n, dtype=torch.bfloat16, device=DEV).normal_()
    b = torch.empty_like(a)
    median, low, high = graph_time([lambda: b.copy_(a)], iters=10)
    result["copy"].append({"bytes": 2 * n * 2, "seconds": median, "min": low, "max": high,
                           "gbPerS": 2 * n * 2 / median / 1e9})
    del a, b
torch.cuda.empty_cache()

for name, n, k in SHAPES:
    weight_bytes = n * k * 2
    copies = max(2, math.ceil(512 * 2**20 / weight_bytes))
    weights = [torch.randn(n, k, dtype=torch.bfloat16, device=DEV) * 0.02 for _ in range(copies)]
    weights8 = [w.to(torch.float8_e4m3fn) for w in weights]
    scale = torch.tensor(1.0, device=DEV)
    for m in MS:
        x = torch.randn(m, k, dtype=torch.bfloat16, device=DEV)
        calls = [(lambda w=w: F.linear(x, w)) for w in weights]
        median, low, high = graph_time(calls)
        result["rows"].append({"shape": name, "dtype": "bf16", "m": m, "n": n, "k": k, "seconds": median,
                               "min": low, "max": high, "tflops": 2 * m * n * k / median / 1e12})
        m8 = max(m, 16)  # cuBLASLt FP8 needs the leading dimensions divisible by 16
        x8 = torch.randn(m8, k, dtype=torch.bfloat16, device=DEV).to(torch.float8_e4m3fn)
        try:
            calls8 = [(lambda w=w: torch._scaled_mm(x8, w.t(), scale_a=scale, scale_b=scale,
                                                    out_dtype=torch.bfloat16)) for w in weights8]
            median, low, high = graph_time(calls8)
            result["rows"].append({"shape": name, "dtype": "fp8", "m": m8, "n": n, "k": k, "seconds": median,
                                   "min": low, "max": high, "tflops": 2 * m8 * n * k / median / 1e12})
        except Exception as error:  # noqa: BLE001
            result["rows"].append({"shape": name, "dtype": "fp8", "m": m8, "n": n, "k": k, "error": str(error)[:300]})
        del x, x8
    del weights, weights8
    torch.cuda.empty_cache()
    print(f"{name}: done at {time.time() - START:.0f} s", flush=True)

result["smiAfter"] = smi()
result["wallSeconds"] = time.time() - START
with open(os.path.join(OUT, "gemm.json"), "w") as handle:
    json.dump(result, handle, indent=1)
for row in result["copy"]:
    print("copy", row)
for row in result["rows"]:
    print(row.get("shape"), row.get("dtype"), row.get("m"), f"{row.get('tflops', 0):.1f} TF/s", row.get("error", ""))
print(result["smiBefore"], "|", result["smiAfter"], "|", f"{result['wallSeconds']:.0f} s")

"""The book's pins (generated from requirements.txt by tools/generate.py:
edit requirements.txt, then run it)."""
PINS = {
    "tensorflow": "2.21.0",
    "keras": "3.15.1",
    "numpy": "2.4.6",
    "pandas": "3.1.1",
    "matplotlib": "3.11.2",
    "ai-edge-litert": "2.3.0",
    "onnxruntime": "1.31.1",
    "tf2onnx": "1.17.0",
    "onnx": "1.23.2",
    "ipykernel": "7.4.0",
    "jupyterlab": "4.6.6",
}

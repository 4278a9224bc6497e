#!/usr/bin/python3
"""PyTorch fixtures of interop's architecture importers (interop/arch*.go).

Run by hand from the repository root (CI has no PyTorch):

    /usr/bin/python3 interop/testdata/torch_models/make_fixtures.py
    /usr/bin/python3 interop/testdata/torch_models/make_fixtures.py --full /tmp/r18

Each model is seeded, randomly initialised, put in eval mode and saved with
torch.save(model.state_dict()) as <name>.pt, with <name>.json holding the input
and PyTorch's output ({"shape": [...], "data": [...]}, float32 values written as
JSON doubles; images are NCHW as PyTorch takes them):

  resnet_tiny          torchvision's ResNet with BasicBlock [2, 2, 2, 2] (the module
                       names of resnet18) at widths 8-16-32-64, 10 classes; BatchNorm
                       weights, biases and running statistics set to random values;
                       input 2 images 3x32x32.
  lstm_classifier      Embedding(50, 16) -> LSTM(16, 32, 2 layers, batch_first) ->
                       last step -> Linear(32, 4); input ids (2, 12).
  transformer_encoder  Embedding(50, 32) + learned positions Embedding(16, 32) ->
                       TransformerEncoder(TransformerEncoderLayer(32, 4 heads, 64,
                       dropout 0.1, batch_first), 2 layers) -> mean over steps ->
                       Linear(32, 4); input ids (2, 12).

lstm_classifier.safetensors is the same state dict in the safetensors format,
written by hand (8-byte little-endian header length, JSON header, raw data).

--full DIR also writes torchvision.models.resnet18() (random init, 2 images
3x224x224) to DIR/resnet18.pt and DIR/resnet18.json: 45 MB, not committed; used
by the manual check described in README.md.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

torch.set_num_threads(1)
OUT_DIR = os.path.dirname(os.path.abspath(__file__))


def arr(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    a = np.asarray(t)
    if a.dtype.kind == "f":
        a = a.astype(np.float32)
        data = [float(str(v)) for v in a.reshape(-1)]
    else:
        data = [int(v) for v in a.reshape(-1)]
    return {"shape": [int(s) for s in a.shape], "data": data}


class WideResNet(ResNet):
    """torchvision's ResNet.__init__ with the stage widths as a parameter (resnet18
    is widths (64, 128, 256, 512)); module names, blocks and forward are ResNet's."""

    def __init__(self, widths, layers, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = widths[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, widths[0], layers[0])
        self.layer2 = self._make_layer(BasicBlock, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(BasicBlock, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(BasicBlock, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * BasicBlock.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


def randomize_bn(model, gen):
    """Non-trivial BatchNorm parameters and running statistics."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.empty(n).uniform_(0.5, 1.5, generator=gen))
                m.bias.copy_(torch.empty(n).uniform_(-0.3, 0.3, generator=gen))
                m.running_mean.copy_(torch.empty(n).uniform_(-0.5, 0.5, generator=gen))
                m.running_var.copy_(torch.empty(n).uniform_(0.5, 2.0, generator=gen))
                m.num_batches_tracked.fill_(7)


class LSTMClassifier(nn.Module):
    def __init__(self, vocab=50, dim=16, hidden=32, layers=2, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, ids):
        h, _ = self.lstm(self.embed(ids))
        return self.fc(h[:, -1])


class TransformerClassifier(nn.Module):
    def __init__(self, vocab=50, width=32, heads=4, ff=64, layers=2, positions=16, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(positions, width)
        layer = nn.TransformerEncoderLayer(width, heads, ff, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.fc = nn.Linear(width, classes)

    def forward(self, ids):
        steps = torch.arange(ids.shape[1])
        x = self.embed(ids) + self.pos(steps)[None]
        return self.fc(self.encoder(x).mean(dim=1))


def save_safetensors(sd, path):
    """The safetensors format by hand: u64 LE header size, JSON header, raw bytes."""
    names = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.float16: "F16"}
    header, blobs, off = {}, [], 0
    for k, v in sd.items():
        b = v.detach().contiguous().cpu().numpy().tobytes()
        header[k] = {"dtype": names[v.dtype], "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def write(out_dir, name, model, x):
    model.eval()
    with torch.no_grad():
        y = model(x)
    tmp = os.path.join(out_dir, name + ".pt.tmp")
    torch.save(model.state_dict(), tmp)
    os.replace(tmp, os.path.join(out_dir, name + ".pt"))
    doc = {"model": name, "input": arr(x), "output": arr(y)}
    tmp = os.path.join(out_dir, name + ".json.tmp")
    with open(tmp, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, name + ".json"))
    print("%s: %d tensors, %d parameters, output %s" % (
        name, len(model.state_dict()), sum(p.numel() for p in model.parameters()), tuple(y.shape)))


def main():
    gen = torch.Generator().manual_seed(20261130)
    torch.manual_seed(20261130)
    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        m = torchvision.models.resnet18()
        randomize_bn(m, gen)
        write(out, "resnet18", m, torch.randn(2, 3, 224, 224, generator=gen))
        return
    if len(sys.argv) != 1:
        sys.exit("usage: make_fixtures.py [--full DIR]")

    m = WideResNet((8, 16, 32, 64), (2, 2, 2, 2), 10)
    randomize_bn(m, gen)
    write(OUT_DIR, "resnet_tiny", m, torch.randn(2, 3, 32, 32, generator=gen))

    m = LSTMClassifier()
    write(OUT_DIR, "lstm_classifier", m, torch.randint(0, 50, (2, 12), generator=gen))
    save_safetensors(m.state_dict(), os.path.join(OUT_DIR, "lstm_classifier.safetensors"))

    m = TransformerClassifier()
    write(OUT_DIR, "transformer_encoder", m, torch.randint(0, 50, (2, 12), generator=gen))


if __name__ == "__main__":
    main()

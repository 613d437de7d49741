"""Writes toolkit/src/test/resources/fixtures/torchvision/: reference outputs of torchvision's own
ResNet (bottleneck) and VisionTransformer on random weights, and the state_dict names and shapes of
the full-size resnet50 and vit_b_16 at 384 px, for TorchvisionTest.

Not run by the tests. Needs torch and torchvision only (Debian: apt-get install python3-torchvision);
nothing is downloaded (no pretrained weights). Run from the repository root:

    python3 toolkit/src/test/python/torchvision_fixtures.py
"""

import json
import pathlib
import struct

import torch
import torchvision
from torch import nn
from torchvision.models.resnet import Bottleneck, ResNet

OUT = pathlib.Path("toolkit/src/test/resources/fixtures/torchvision")
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save(path, tensors):
    """Writes a safetensors file (the safetensors package is not needed for this format)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {
            "dtype": DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


class ReducedResNet(ResNet):
    """torchvision's ResNet with its own Bottleneck and _make_layer, stage planes configurable
    (torchvision fixes them at 64, 128, 256, 512; with those it is exactly resnet50, checked below).
    """

    def __init__(self, planes, layers, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = planes[0], 1, 1, 64
        self.conv1 = nn.Conv2d(3, planes[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(planes[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(Bottleneck, planes[0], layers[0])
        self.layer2 = self._make_layer(Bottleneck, planes[1], layers[1], stride=2)
        self.layer3 = self._make_layer(Bottleneck, planes[2], layers[2], stride=2)
        self.layer4 = self._make_layer(Bottleneck, planes[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(planes[3] * Bottleneck.expansion, num_classes)


def shapes(model):
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


def write_names(model, path, title):
    params = sum(p.numel() for p in model.parameters())
    lines = [f"# {title}: state_dict name and shape; {params} parameters (buffers not counted)"]
    lines += [f"{k} {','.join(map(str, s))}" for k, s in shapes(model)]
    path.write_text("\n".join(lines) + "\n")
    return params


def randomise(model, gen):
    """Every float tensor of the state_dict random (torchvision zeros some, e.g. the ViT head)."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.dtype != torch.float32:
                continue
            if name.endswith("running_var") or name.endswith("weight") and t.dim() == 1:
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif name.endswith("running_mean") or t.dim() == 1 or name.endswith("token"):
                t.copy_(torch.randn(t.shape, generator=gen) * 0.2)
            else:
                fan_in = t[0].numel() if t.dim() > 1 else t.numel()
                t.copy_(torch.randn(t.shape, generator=gen) / fan_in**0.5)


def reference(model, name, size, gen, extra=None):
    images = torch.rand(3, 3, size, size, generator=gen)
    model.eval()
    with torch.no_grad():
        logits = model((images - MEAN) / STD)
    tensors = {"images": images, "logits": logits}
    tensors.update(extra(images) if extra else {})
    save(OUT / f"{name}.safetensors", model.state_dict())
    save(OUT / f"{name}-io.safetensors", tensors)
    return logits


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(17)

    full = torchvision.models.resnet50()
    assert shapes(ReducedResNet([64, 128, 256, 512], [3, 4, 6, 3], 1000)) == shapes(full)
    counts = {"resnet50": write_names(full, OUT / "resnet50.names.txt", "torchvision resnet50()")}
    vit = torchvision.models.vit_b_16(image_size=384)
    counts["vit_b_16_384"] = write_names(
        vit, OUT / "vit_b_16-384.names.txt", "torchvision vit_b_16(image_size=384)"
    )
    counts["vit_b_16_224"] = sum(p.numel() for p in torchvision.models.vit_b_16().parameters())

    resnet = ReducedResNet([8, 16, 32, 64], [3, 4, 6, 3], 10)
    randomise(resnet, gen)

    def training_pass(images):
        """One training-mode forward (batch statistics) on a copy: logits and bn1's new stats."""
        copy = ReducedResNet([8, 16, 32, 64], [3, 4, 6, 3], 10)
        copy.load_state_dict(resnet.state_dict())
        copy.train()
        with torch.no_grad():
            logits = copy((images - MEAN) / STD)
        return {
            "train_logits": logits,
            "train_bn1.running_mean": copy.bn1.running_mean.clone(),
            "train_bn1.running_var": copy.bn1.running_var.clone(),
        }

    reference(resnet, "resnet-reduced", 64, gen, training_pass)

    small_vit = torchvision.models.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=128,
        num_classes=10,
    )
    randomise(small_vit, gen)
    reference(small_vit, "vit-reduced", 32, gen)

    manifest = {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "seed": 17,
        "parameters": counts,
        "resnet-reduced": "ReducedResNet(planes=[8, 16, 32, 64], layers=[3, 4, 6, 3], "
        "num_classes=10), 64 px images",
        "vit-reduced": "torchvision.models.VisionTransformer(image_size=32, patch_size=8, "
        "num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=128, num_classes=10)",
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()

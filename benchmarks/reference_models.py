#!/usr/bin/python3
"""Reference timings for `cprecon-cli bench models --reference` (Debian python3-torch 1.13 + python3-torchvision).

Times the same work as the C++ benchmark, on random weights and random uint8 inputs, in images/s:
  vae         SD-VAE (diffusers AutoencoderKL, sd14 config) encode -> posterior mean -> decode, 256x256 RGB
  inception   torchvision inception_v3 (recipe A: /255, bilinear 299, ImageNet normalisation), 299x299
  openphenom  OpenPhenom CA-MAE ViT-S/16 encoder (input norm, channel-agnostic patches, 12 ParallelScalingBlocks,
              channel-wise mean pooling), 5x256x256
diffusers and timm are not packaged in Debian, so the SD-VAE and the OpenPhenom encoder are written below in plain
torch.nn, op for op as the libraries compute them (module structure of diffusers 0.30 AutoencoderKL and timm 1.0.11
ParallelScalingBlock). Output per measurement: `<model>.<variant>: <images per wall second>` and
`<model>.<variant>.cpu_s_per_image: <CPU seconds of the process per image>` (robust on a shared machine).
Install: apt-get install python3-torch python3-torchvision
"""
import argparse
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNorm32(nn.GroupNorm):
    # torch 1.13's CPU group_norm refuses the bf16 a bf16-autocast conv gives it: normalise in fp32 (a no-op in fp32)
    def forward(self, x):
        return super().forward(x.float())


# --- SD-VAE (diffusers AutoencoderKL, sd14: block_out_channels 128/256/512/512, 2 layers per block, GroupNorm 32)
class Resnet(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = GroupNorm32(32, cin, eps=1e-6)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = GroupNorm32(32, cout, eps=1e-6)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):  # single head over the channels, as the VAE mid block
    def __init__(self, c):
        super().__init__()
        self.group_norm = GroupNorm32(32, c, eps=1e-6)
        self.to_q, self.to_k, self.to_v, self.to_out = (nn.Linear(c, c) for _ in range(4))

    def forward(self, x):
        n, c, h, w = x.shape
        y = self.group_norm(x).view(n, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(y), self.to_k(y), self.to_v(y)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(c), dim=-1)
        y = self.to_out(a @ v).transpose(1, 2).reshape(n, c, h, w)
        return x + y


class Mid(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.r1, self.attn, self.r2 = Resnet(c, c), Attention(c), Resnet(c, c)

    def forward(self, x):
        return self.r2(self.attn(self.r1(x)))


class Encoder(nn.Module):
    def __init__(self, ch=(128, 256, 512, 512), latent=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        self.blocks = nn.ModuleList()
        cin = ch[0]
        for i, c in enumerate(ch):
            b = nn.Module()
            b.resnets = nn.ModuleList([Resnet(cin, c), Resnet(c, c)])
            b.down = nn.Conv2d(c, c, 3, stride=2) if i < len(ch) - 1 else None
            self.blocks.append(b)
            cin = c
        self.mid = Mid(ch[-1])
        self.norm_out = GroupNorm32(32, ch[-1], eps=1e-6)
        self.conv_out = nn.Conv2d(ch[-1], 2 * latent, 3, padding=1)
        self.quant_conv = nn.Conv2d(2 * latent, 2 * latent, 1)

    def forward(self, x):
        x = self.conv_in(x)
        for b in self.blocks:
            for r in b.resnets:
                x = r(x)
            if b.down is not None:
                x = b.down(F.pad(x, (0, 1, 0, 1)))  # right/bottom-only pad before the stride-2 conv
        x = self.conv_out(F.silu(self.norm_out(self.mid(x))))
        return self.quant_conv(x)


class Decoder(nn.Module):
    def __init__(self, ch=(128, 256, 512, 512), latent=4):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(latent, latent, 1)
        rch = list(reversed(ch))
        self.conv_in = nn.Conv2d(latent, rch[0], 3, padding=1)
        self.mid = Mid(rch[0])
        self.blocks = nn.ModuleList()
        cin = rch[0]
        for i, c in enumerate(rch):
            b = nn.Module()
            b.resnets = nn.ModuleList([Resnet(cin if j == 0 else c, c) for j in range(3)])
            b.up = nn.Conv2d(c, c, 3, padding=1) if i < len(rch) - 1 else None
            self.blocks.append(b)
            cin = c
        self.norm_out = GroupNorm32(32, rch[-1], eps=1e-6)
        self.conv_out = nn.Conv2d(rch[-1], 3, 3, padding=1)

    def forward(self, z):
        x = self.mid(self.conv_in(self.post_quant_conv(z)))
        for b in self.blocks:
            for r in b.resnets:
                x = r(x)
            if b.up is not None:
                x = b.up(F.interpolate(x, scale_factor=2.0, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(x)))


class SdVae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = Encoder(), Decoder()

    def forward(self, u8):
        x = u8.float() / 255 * 2 - 1
        mean, _logvar = self.encoder(x).chunk(2, dim=1)
        return self.decoder(mean)


# --- InceptionV3, recipe A
class InceptionA_(nn.Module):
    def __init__(self):
        super().__init__()
        import torchvision

        self.net = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False).eval()
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, u8):
        x = F.interpolate(u8.float() / 255, size=(299, 299), mode="bilinear", align_corners=False)
        return self.net((x - self.mean) / self.std)


# --- OpenPhenom encoder (timm 1.0.11 ParallelScalingBlock, ViT-S/16, channel-agnostic)
class ParallelScalingBlock(nn.Module):
    def __init__(self, dim=384, heads=6, mlp=1536):
        super().__init__()
        self.heads, self.hd, self.mlp = heads, dim // heads, mlp
        self.in_norm = nn.LayerNorm(dim, eps=1e-6)
        self.in_proj = nn.Linear(dim, mlp + 3 * dim, bias=False)
        self.register_buffer("qkv_bias", torch.zeros(3 * dim))
        self.mlp_bias = nn.Parameter(torch.zeros(mlp))
        self.q_norm = nn.LayerNorm(self.hd, eps=1e-6)
        self.k_norm = nn.LayerNorm(self.hd, eps=1e-6)
        self.attn_out_proj = nn.Linear(dim, dim)
        self.mlp_out_proj = nn.Linear(mlp, dim)
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        B, N, C = x.shape
        y = F.linear(self.in_norm(x.float()), self.in_proj.weight, torch.cat((self.qkv_bias, self.mlp_bias)))
        x_mlp, q, k, v = torch.split(y, [self.mlp, C, C, C], dim=-1)
        # .float(): torch 1.13's CPU layer_norm refuses the bf16 a bf16-autocast linear gives it (no-op in fp32)
        q = self.q_norm(q.view(B, N, self.heads, self.hd).transpose(1, 2).float())
        k = self.k_norm(k.view(B, N, self.heads, self.hd).transpose(1, 2).float())
        v = v.view(B, N, self.heads, self.hd).transpose(1, 2)
        a = ((q * self.hd ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
        x_attn = (a @ v).transpose(1, 2).reshape(B, N, C)
        y = self.attn_out_proj(x_attn) + self.mlp_out_proj(F.gelu(x_mlp))
        return x + self.gamma * y


class OpenPhenomEncoder(nn.Module):
    def __init__(self, dim=384, depth=12, max_chans=11):
        super().__init__()
        self.dim = dim
        self.norm = nn.InstanceNorm2d(max_chans, affine=False, track_running_stats=False)
        self.proj = nn.Conv2d(1, dim, 16, stride=16)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.register_buffer("pos_embed", torch.randn(1, 1 + max_chans * 256, dim) * 0.02)
        self.blocks = nn.ModuleList([ParallelScalingBlock(dim) for _ in range(depth)])

    def forward(self, u8):
        N, C, H, W = u8.shape
        x = self.norm(u8.float() / 255)
        t = self.proj(x.reshape(N * C, 1, H, W)).flatten(2).transpose(1, 2).reshape(N, -1, self.dim)
        t = torch.cat([self.cls_token.expand(N, -1, -1), t], dim=1) + self.pos_embed[:, : t.shape[1] + 1]
        for b in self.blocks:
            t = b(t)
        return t[:, 1:].reshape(N, C, -1, self.dim).mean(2)


def time_model(model, x, iters, warmup, bf16=False):
    """Returns (images per wall second, CPU seconds of the whole process per image); bf16: CPU autocast to bfloat16."""
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        for _ in range(warmup):
            model(x)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(iters):
            model(x)
        n = iters * x.shape[0]
        return n / (time.perf_counter() - t0), (time.process_time() - c0) / n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--iters", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--models", default="vae,inception,openphenom")
    ap.add_argument("--variants", default="fp32,channels_last,bf16")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, batch {a.batch}", flush=True)
    builders = {
        "vae": (SdVae, (3, 256, 256)),
        "inception": (InceptionA_, (3, 299, 299)),
        "openphenom": (OpenPhenomEncoder, (5, 256, 256)),
    }
    for name in a.models.split(","):
        build, shape = builders[name]
        model = build().eval()
        x = torch.randint(0, 256, (a.batch,) + shape, dtype=torch.uint8)
        for variant in a.variants.split(","):
            # bf16 = CPU autocast, in the conv nets' faster layout (channels_last), as the C++ bf16 rows
            if variant in ("channels_last", "bf16") and name != "openphenom":
                model = model.to(memory_format=torch.channels_last)
                xv = x.contiguous(memory_format=torch.channels_last)
            elif variant == "channels_last":
                continue  # a transformer: no 4-D activations past the patch embedding
            else:
                model = model.to(memory_format=torch.contiguous_format)
                xv = x
            ips, cpu = time_model(model, xv, a.iters, a.warmup, bf16=variant == "bf16")
            print(f"{name}.{variant}: {ips:.4f}", flush=True)
            print(f"{name}.{variant}.cpu_s_per_image: {cpu:.4f}", flush=True)
    # Peak RSS of this process, as the C++ side prints its own: VmHWM, not getrusage's ru_maxrss, which Linux carries
    # over from the parent across fork + exec (it would report the C++ process's peak).
    with open("/proc/self/status") as status:
        hwm = next((int(l.split()[1]) for l in status if l.startswith("VmHWM:")), 0)
    print(f"peak_rss_mb: {hwm / 1024:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

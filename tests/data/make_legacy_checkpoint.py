# Writes tests/data/torch_legacy.pth with torch.save's legacy (pre-1.6, non-zip) serialization, as the published
# pytorch-fid / older torchvision weights are stored, and the same state dict in the zip format (<out>.zip.pth) for
# comparison. Run with Debian's python3-torch: /usr/bin/python3 tests/data/make_legacy_checkpoint.py tests/data/torch_legacy.pth
import collections, sys, torch
torch.manual_seed(0)
sd = collections.OrderedDict()
sd["conv.weight"] = torch.randn(4, 3, 3, 3)
sd["conv.bias"] = torch.randn(4)
sd["bn.running_mean"] = torch.randn(4).half()
sd["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
sd["fc.weight"] = base.t()            # a transposed view: strides (1, 4)
sd["fc.bias"] = base[1]               # a view with a storage offset, sharing base's storage
torch.save(sd, sys.argv[1], _use_new_zipfile_serialization=False)
torch.save(sd, sys.argv[1][:-4] + ".zip.pth")
back = torch.load(sys.argv[1])
for k, v in sd.items():
    assert torch.equal(back[k], v), k
print("wrote", sys.argv[1])

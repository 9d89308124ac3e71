#include "weights/CheckpointLocator.h"

#include "util/Error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace cprecon {

namespace fs = std::filesystem;

namespace {
bool isFile(const fs::path &p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec); // follows symlinks (HF cache: snapshot files -> ../../blobs/<sha>)
}
bool isDir(const fs::path &p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

const char *const kPreferred[] = {
    "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin", "model.safetensors", "pytorch_model.bin",
    "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.fp16.bin",
};

bool weightExtension(const fs::path &p)
{
    const std::string e = p.extension().string();
    return e == ".safetensors" || e == ".pth" || e == ".pt" || e == ".bin" || e == ".ckpt";
}

// Weights directly inside `dir` (no recursion), or empty.
std::string weightsIn(const fs::path &dir)
{
    for (const char *name : kPreferred)
        if (isFile(dir / name)) return (dir / name).string();
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(dir, ec))
        if (weightExtension(e.path()) && isFile(e.path())) found.push_back(e.path());
    return found.size() == 1 ? found.front().string() : std::string();
}

fs::path snapshotOf(const fs::path &repo)
{
    const fs::path snaps = repo / "snapshots";
    std::ifstream ref(repo / "refs" / "main");
    std::string hash;
    if (ref && std::getline(ref, hash) && isDir(snaps / hash)) return snaps / hash;
    fs::path best;
    fs::file_time_type bestTime{};
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(snaps, ec)) {
        if (!isDir(e.path())) continue;
        const auto t = fs::last_write_time(e.path(), ec);
        if (best.empty() || t > bestTime) {
            best = e.path();
            bestTime = t;
        }
    }
    return best;
}
} // namespace

CheckpointLocation locateCheckpoint(const std::string &pathIn, const std::vector<std::string> &subfolders)
{
    const fs::path path(pathIn);
    if (isFile(path)) {
        CheckpointLocation loc{path.string(), {}, "single file"};
        const std::string name = path.filename().string();
        const bool diffusersName = std::any_of(std::begin(kPreferred), std::end(kPreferred),
                                               [&](const char *n) { return name == n; });
        if (diffusersName && isFile(path.parent_path() / "config.json")) {
            loc.configFile = (path.parent_path() / "config.json").string();
            loc.layout = "diffusers folder";
        }
        return loc;
    }
    if (!isDir(path)) throw Error("weights not found", pathIn, "give a checkpoint file or a model folder");

    fs::path dir = path;
    std::string layout = "diffusers folder";
    if (isDir(dir / "snapshots")) { // HF cache repo folder models--ORG--NAME
        dir = snapshotOf(dir);
        if (dir.empty()) throw Error("HF cache folder has no snapshot", pathIn, "download the model again");
        layout = "HF cache snapshot";
    } else if (dir.parent_path().filename() == "snapshots") {
        layout = "HF cache snapshot";
    }
    // The model itself, or the pipeline folder holding it in a subfolder (vae/).
    std::vector<fs::path> candidates;
    for (const auto &s : subfolders) candidates.push_back(dir / s);
    candidates.push_back(dir);
    for (const auto &c : candidates) {
        if (!isDir(c)) continue;
        const std::string w = weightsIn(c);
        if (w.empty()) continue;
        CheckpointLocation loc{w, isFile(c / "config.json") ? (c / "config.json").string() : std::string(), layout};
        if (c != dir) loc.layout += " (" + c.filename().string() + "/ subfolder)";
        return loc;
    }
    std::string looked = "diffusion_pytorch_model.safetensors/.bin, model.safetensors or one .safetensors/.pth/.bin/.ckpt";
    throw Error("no weights found in folder (looked for " + looked + " in it and in its " +
                    (subfolders.empty() ? std::string("subfolders") : subfolders.front() + "/ subfolder") + ")",
                pathIn, "point at the model folder, an HF cache snapshot, or the weights file itself");
}

} // namespace cprecon

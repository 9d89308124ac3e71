// cprecon-cli screen info: what a screen path holds (plates, wells, sites, channels, treatments, missing files,
// problems), as text or as JSON (schema "cprecon.screen-info/1", documented in docs/user/layouts.md).
#include "CliScreen.h"

#include "screen/ScreenOpener.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <set>

namespace cprecon::cli {

namespace {

using nlohmann::json;

std::string u8(const QString &s) { return s.toStdString(); }

const char *kindName(ScreenKind k)
{
    switch (k) {
    case ScreenKind::LoadDataCsv: return "load_data_csv";
    case ScreenKind::NfCoreSheet: return "nfcore_sheet";
    case ScreenKind::FolderScan: return "folder_scan";
    case ScreenKind::NaturalImages: return "natural_images";
    case ScreenKind::Phantom: return "phantom";
    }
    return "unknown";
}

const char *controlName(ControlType c)
{
    switch (c) {
    case ControlType::Treatment: return "treatment";
    case ControlType::NegativeControl: return "negative_control";
    case ControlType::PositiveControl: return "positive_control";
    case ControlType::Empty: return "empty";
    case ControlType::Unknown: return "unknown";
    }
    return "unknown";
}

struct Counts {
    long wells = 0, wellsWithImages = 0, sites = 0, images = 0, missing = 0;
    std::map<std::string, long> controls;
};

json screenJson(const Screen &s, bool listMissing)
{
    json j;
    j["schema"] = "cprecon.screen-info/1";
    j["name"] = u8(s.name);
    j["source"] = u8(s.source);
    j["kind"] = kindName(s.kind);
    j["synthetic"] = s.synthetic;
    Counts total;
    for (const char *c : {"treatment", "negative_control", "positive_control", "empty", "unknown"}) total.controls[c] = 0;
    std::map<std::string, std::pair<std::set<int>, long>> channels; // stain -> (numbers, images)
    std::map<std::pair<std::string, std::string>, std::pair<std::string, long>> treatments; // (id,name) -> (control, wells)
    json plates = json::array(), missing = json::array();
    for (const auto &p : s.plates) {
        Counts c;
        for (const char *k : {"treatment", "negative_control", "positive_control", "empty", "unknown"}) c.controls[k] = 0;
        std::map<std::string, json> plateChannels;
        for (const auto &w : p.wells) {
            ++c.wells;
            ++c.controls[controlName(w.meta.control)];
            if (!w.sites.isEmpty()) ++c.wellsWithImages;
            auto &t = treatments[{u8(w.meta.perturbationId), u8(w.meta.perturbationName)}];
            t.first = controlName(w.meta.control);
            ++t.second;
            for (const auto &site : w.sites) {
                ++c.sites;
                for (const auto &ch : site.channels) {
                    ++c.images;
                    auto &cc = channels[u8(ch.stain)];
                    if (ch.channelNumber >= 0) cc.first.insert(ch.channelNumber);
                    ++cc.second;
                    json &pc = plateChannels[u8(ch.stain)];
                    if (pc.is_null()) pc = json{{"stain", u8(ch.stain)}, {"channel_number", ch.channelNumber}, {"illum", false}};
                    if (!ch.illumPath.isEmpty()) pc["illum"] = true;
                    if (ch.missing) {
                        ++c.missing;
                        if (listMissing && missing.size() < 1000) missing.push_back(u8(ch.path));
                    }
                }
            }
        }
        json meta = json::object();
        for (auto it = p.metadata.cbegin(); it != p.metadata.cend(); ++it) meta[u8(it.key())] = u8(it.value());
        json chs = json::array();
        for (auto &[k, v] : plateChannels) chs.push_back(v);
        plates.push_back({{"barcode", u8(p.barcode)}, {"format", int(p.format)}, {"platemap", u8(p.platemapName)},
                          {"synthetic", p.synthetic}, {"wells", c.wells}, {"wells_with_images", c.wellsWithImages},
                          {"sites", c.sites}, {"images", c.images}, {"missing_files", c.missing}, {"controls", c.controls},
                          {"channels", chs}, {"metadata", meta}});
        total.wells += c.wells;
        total.wellsWithImages += c.wellsWithImages;
        total.sites += c.sites;
        total.images += c.images;
        total.missing += c.missing;
        for (auto &[k, v] : c.controls) total.controls[k] += v;
    }
    json chs = json::array();
    for (auto &[stain, v] : channels) chs.push_back({{"stain", stain}, {"channel_numbers", v.first}, {"images", v.second}});
    json trs = json::array();
    for (auto &[k, v] : treatments) trs.push_back({{"id", k.first}, {"name", k.second}, {"control", v.first}, {"wells", v.second}});
    json probs = json::array();
    long errors = 0, warnings = 0;
    for (const auto &pr : s.problems) {
        const bool err = pr.severity == Problem::Severity::Error;
        (err ? errors : warnings)++;
        probs.push_back({{"severity", err ? "error" : "warning"}, {"file", u8(pr.file)}, {"row", pr.row},
                         {"message", u8(pr.message)}, {"fix", u8(pr.fix)}});
    }
    j["summary"] = {{"plates", s.plates.size()}, {"wells", total.wells}, {"wells_with_images", total.wellsWithImages},
                    {"sites", total.sites}, {"images", total.images}, {"missing_files", total.missing},
                    {"treatments", trs.size()}, {"controls", total.controls}, {"problems", s.problems.size()},
                    {"errors", errors}, {"warnings", warnings}};
    j["plates"] = plates;
    j["channels"] = chs;
    j["treatments"] = trs;
    j["missing_files"] = missing;
    j["problems"] = probs;
    return j;
}

void printText(const json &j, bool all)
{
    const json &sm = j["summary"];
    std::cout << "screen: " << j["name"].get<std::string>() << "  (" << j["kind"].get<std::string>()
              << (j["synthetic"].get<bool>() ? ", SYNTHETIC phantom - not biology" : "") << ")\n"
              << "source: " << j["source"].get<std::string>() << "\n"
              << "plates: " << sm["plates"] << "  wells: " << sm["wells"] << " (" << sm["wells_with_images"]
              << " with images)  sites: " << sm["sites"] << "  images: " << sm["images"]
              << "  missing files: " << sm["missing_files"] << "\n";
    const json &c = sm["controls"];
    std::cout << "wells by treatment: treatment " << c["treatment"] << ", negative control " << c["negative_control"]
              << ", positive control " << c["positive_control"] << ", empty " << c["empty"] << ", unknown "
              << c["unknown"] << "\n";
    std::cout << "channels:";
    for (const auto &ch : j["channels"]) {
        std::cout << "  " << ch["stain"].get<std::string>();
        if (!ch["channel_numbers"].empty()) {
            std::cout << " (ch";
            bool first = true;
            for (const auto &n : ch["channel_numbers"]) {
                std::cout << (first ? "" : "/") << n.get<int>();
                first = false;
            }
            std::cout << ")";
        }
    }
    std::cout << "\n\nplates:\n";
    for (const auto &p : j["plates"]) {
        std::cout << "  " << p["barcode"].get<std::string>() << "  " << p["format"] << "-well"
                  << (p["platemap"].get<std::string>().empty() ? "" : "  platemap " + p["platemap"].get<std::string>())
                  << "  wells " << p["wells"] << " (" << p["wells_with_images"] << " imaged)  sites " << p["sites"]
                  << "  missing " << p["missing_files"] << (p["synthetic"].get<bool>() ? "  [phantom]" : "") << "\n    channels:";
        for (const auto &ch : p["channels"]) {
            std::cout << " " << ch["stain"].get<std::string>();
            if (ch["channel_number"].get<int>() >= 0) std::cout << "=ch" << ch["channel_number"].get<int>();
            if (ch["illum"].get<bool>()) std::cout << "+illum";
        }
        const json &m = p["metadata"];
        for (const char *k : {"Source", "Batch", "Cell_type", "Time"})
            if (m.contains(k)) std::cout << "  " << k << "=" << m[k].get<std::string>();
        std::cout << "\n";
    }
    const auto &trs = j["treatments"];
    std::cout << "\ntreatments: " << trs.size() << "\n";
    size_t shown = 0;
    for (const auto &t : trs) {
        if (!all && shown++ >= 20) {
            std::cout << "  ... (" << trs.size() - 20 << " more; --all lists every one)\n";
            break;
        }
        std::cout << "  " << (t["id"].get<std::string>().empty() ? "-" : t["id"].get<std::string>()) << "  "
                  << (t["name"].get<std::string>().empty() ? "-" : t["name"].get<std::string>()) << "  "
                  << t["control"].get<std::string>() << "  wells " << t["wells"] << "\n";
    }
    const auto &miss = j["missing_files"];
    if (!miss.empty()) {
        std::cout << "\nmissing files: " << sm["missing_files"] << "\n";
        size_t k = 0;
        for (const auto &m : miss) {
            if (!all && k++ >= 20) {
                std::cout << "  ...\n";
                break;
            }
            std::cout << "  " << m.get<std::string>() << "\n";
        }
    }
    std::cout << "\nproblems: " << sm["problems"] << " (" << sm["errors"] << " errors, " << sm["warnings"] << " warnings)\n";
    for (const auto &p : j["problems"]) {
        std::cout << "  [" << p["severity"].get<std::string>() << "] ";
        if (!p["file"].get<std::string>().empty()) {
            std::cout << p["file"].get<std::string>();
            if (p["row"].get<long>() >= 0) std::cout << ":" << p["row"].get<long>();
            std::cout << ": ";
        }
        std::cout << p["message"].get<std::string>();
        if (!p["fix"].get<std::string>().empty()) std::cout << "\n      fix: " << p["fix"].get<std::string>();
        std::cout << "\n";
    }
}

int run(const Args &a)
{
    const QString path = a.positionals().value(0);
    if (path.isEmpty()) throw Error("missing PATH", "", "cprecon-cli screen info PATH [--json]");
    const Screen s = openScreen(path, screenOpenOptions(a));
    const json j = screenJson(s, true);
    if (a.has(QStringLiteral("json")))
        std::cout << j.dump(2) << "\n";
    else
        printText(j, a.has(QStringLiteral("all")));
    return 0;
}

Registrar reg({"screen info", "plates, wells, sites, channels, treatments, missing files and problems of a screen",
               QStringLiteral("PATH"),
               QStringLiteral("PATH: screen root folder (cellpainting-gallery tree, phantom output), load_data CSV (.csv/.csv.gz),\n"
                              "nf-core/cellpainting sample sheet, or a folder of instrument images / RGB photos.\n"
                              "Exit code 0 when the screen loads (even with problems), 1 with a message when it cannot be opened."),
               options({flag(QStringLiteral("json"), QStringLiteral("machine-readable output (schema cprecon.screen-info/1, see docs/user/layouts.md)")),
                        flag(QStringLiteral("all"), QStringLiteral("list every treatment and missing file in the text output"))},
                       screenOptions()),
               run});

} // namespace

} // namespace cprecon::cli

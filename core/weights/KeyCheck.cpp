#include "weights/KeyCheck.h"

#include "util/Error.h"

#include <set>
#include <sstream>

namespace cprecon {

std::string shapeString(const std::vector<int64_t> &shape)
{
    std::ostringstream s;
    s << "[";
    for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
    s << "]";
    return s.str();
}

KeyCheck checkKeys(const ShapeList &expected, const StateDict &sd)
{
    KeyCheck c;
    c.expectedCount = expected.size();
    std::set<std::string> want;
    for (const auto &[name, shape] : expected) {
        want.insert(name);
        auto it = sd.tensors.find(name);
        if (it == sd.tensors.end())
            c.missing.push_back(name);
        else if (it->second.shape != shape)
            c.mismatched.push_back({name, shape, it->second.shape});
        else
            ++c.matched;
    }
    for (const auto &[name, t] : sd.tensors)
        if (!want.count(name)) c.unexpected.push_back(name);
    return c;
}

namespace {
void listNames(std::ostringstream &s, const std::vector<std::string> &names, size_t maxNames)
{
    s << " (";
    for (size_t i = 0; i < names.size() && i < maxNames; ++i) s << (i ? ", " : "") << names[i];
    if (names.size() > maxNames) s << ", ...";
    s << ")";
}
} // namespace

std::string KeyCheck::summary(size_t maxNames) const
{
    std::ostringstream s;
    bool first = true;
    auto sep = [&] {
        if (!first) s << "; ";
        first = false;
    };
    if (!missing.empty()) {
        sep();
        s << missing.size() << " missing";
        listNames(s, missing, maxNames);
    }
    if (!unexpected.empty()) {
        sep();
        s << unexpected.size() << " unexpected";
        listNames(s, unexpected, maxNames);
    }
    if (!mismatched.empty()) {
        sep();
        s << mismatched.size() << " shape mismatches (";
        for (size_t i = 0; i < mismatched.size() && i < maxNames; ++i)
            s << (i ? ", " : "") << mismatched[i].key << ": expected " << shapeString(mismatched[i].expected)
              << " found " << shapeString(mismatched[i].found);
        if (mismatched.size() > maxNames) s << ", ...";
        s << ")";
    }
    if (first) s << "all " << expectedCount << " keys match";
    return s.str();
}

void requireMatchingKeys(const KeyCheck &check, const std::string &modelName, const std::string &source,
                         const StateDict *sd)
{
    if (check.ok()) return;
    const size_t present = check.matched + check.mismatched.size();
    if (present * 4 < check.expectedCount) {
        std::ostringstream s;
        s << "not a checkpoint for " << modelName << ": only " << present << " of its " << check.expectedCount
          << " keys are present";
        if (sd && !sd->tensors.empty()) {
            std::vector<std::string> some;
            for (const auto &[k, v] : sd->tensors) {
                some.push_back(k);
                if (some.size() == 4) break;
            }
            s << "; the file has " << sd->tensors.size() << " tensors";
            listNames(s, some, 4);
        } else {
            s << "; " << check.summary(4);
        }
        throw Error(s.str(), source, "give the " + modelName + " weights (see docs/user/models-*.md)");
    }
    throw Error(modelName + " checkpoint does not match the network: " + check.summary(), source,
                "use a checkpoint of the same architecture (and the matching config.json)");
}

} // namespace cprecon

#pragma once
// Compares a network's expected state-dict keys/shapes with a checkpoint's, and turns the difference into a
// message that names the keys (first few + counts) - a wrong checkpoint is refused, never loaded half-way.
#include "weights/StateDict.h"

#include <string>
#include <utility>
#include <vector>

namespace cprecon {

using ShapeList = std::vector<std::pair<std::string, std::vector<int64_t>>>; // name -> shape, module order

struct KeyCheck {
    struct Mismatch {
        std::string key;
        std::vector<int64_t> expected, found;
    };
    size_t expectedCount = 0;
    size_t matched = 0; // present with the right shape
    std::vector<std::string> missing;
    std::vector<std::string> unexpected;
    std::vector<Mismatch> mismatched;
    bool ok() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
    // "3 missing (a, b, c), 1 unexpected (d), 2 shape mismatches (e: expected [1,2] found [2,1], ...)"
    std::string summary(size_t maxNames = 5) const;
};

std::string shapeString(const std::vector<int64_t> &shape); // "[128, 3, 3, 3]"

KeyCheck checkKeys(const ShapeList &expected, const StateDict &sd);

// Throws cprecon::Error (file = source) unless check.ok(). When fewer than a quarter of the expected keys are
// present the message says the file is "not a checkpoint for <modelName>" at all and shows some of its keys.
void requireMatchingKeys(const KeyCheck &check, const std::string &modelName, const std::string &source,
                         const StateDict *sd = nullptr);

} // namespace cprecon

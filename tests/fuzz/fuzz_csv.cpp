// The one CSV reader (load_data, profiles, platemaps, metadata): from memory, and from a file (plain or gzip: the
// input is also tried gzip-compressed, so the gzip path sees valid streams of fuzzed CSV).
#include "FuzzSupport.h"

#include "util/CsvReader.h"

#include <zlib.h>

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    for (char delim : {',', '\t'})
        fuzz::expectNamedErrors([&] {
            cprecon::CsvReader r = cprecon::CsvReader::fromBuffer(text, delim);
            std::vector<std::string_view> fields;
            while (r.next(fields)) {
            }
        });
    const std::string plain = fuzz::writeInput(data, size, "input.csv");
    fuzz::expectNamedErrors([&] {
        cprecon::CsvReader r = cprecon::CsvReader::fromFile(plain);
        std::vector<std::string_view> fields;
        while (r.next(fields)) {
        }
    });
    // The raw bytes as a .gz file (mostly a broken stream) and the bytes gzip-compressed (a valid one).
    const std::string raw = fuzz::writeInput(data, size, "raw.csv.gz");
    const std::string gz = std::string(raw.substr(0, raw.rfind('/'))) + "/input.csv.gz";
    if (gzFile g = gzopen(gz.c_str(), "wb")) {
        if (size) gzwrite(g, data, unsigned(size));
        gzclose(g);
    }
    for (const std::string &p : {raw, gz})
        fuzz::expectNamedErrors([&] {
            cprecon::CsvReader r = cprecon::CsvReader::fromFile(p);
            std::vector<std::string_view> fields;
            while (r.next(fields)) {
            }
        });
    return 0;
}

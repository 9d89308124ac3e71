#pragma once
// The one error type core code throws: a message, the file/row it concerns, and how to fix it.
// The GUI lists these in its problems panel; the CLI prints them and exits non-zero.
#include <stdexcept>
#include <string>

namespace cprecon {

class Error : public std::runtime_error {
public:
    Error(std::string message, std::string file = {}, std::string fix = {}, long row = -1)
        : std::runtime_error(compose(message, file, fix, row)),
          m_message(std::move(message)), m_file(std::move(file)), m_fix(std::move(fix)), m_row(row) {}

    const std::string &message() const { return m_message; }
    const std::string &file() const { return m_file; }
    const std::string &fix() const { return m_fix; }
    long row() const { return m_row; }

private:
    static std::string compose(const std::string &message, const std::string &file, const std::string &fix, long row);
    std::string m_message, m_file, m_fix;
    long m_row;
};

// Thrown by long work when its cancel flag was raised: callers tell it apart from a real failure (nothing to report).
class Canceled : public Error {
public:
    explicit Canceled(std::string what = "canceled") : Error(std::move(what)) {}
};

} // namespace cprecon

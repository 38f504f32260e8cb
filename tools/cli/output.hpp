// Where the command line writes: standard output or a file, through a stream that
// remembers why a write failed (a full disk, a closed descriptor), so no output is lost
// silently.
//
//   Output out = Output::standard();
//   out.stream() << "text";
//   if (!out.close()) report(out.error_message());   // "cannot write output: No space left on device"
#pragma once

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

namespace tcpsim::cli {

class Output {
public:
    // Standard output (never closed, only flushed).
    static Output standard();
    // A file, created or truncated; check ok() before use.
    static Output file(const std::string& path);

    Output(Output&&) noexcept;
    Output& operator=(Output&&) noexcept;
    ~Output();

    std::ostream& stream() { return *stream_; }
    bool ok() const;
    // Flushes, and closes a file. False when any write (or the close) failed.
    bool close();
    // "cannot write output: No space left on device", "cannot write out.pcap: ...".
    std::string error_message() const;

private:
    class Buffer;
    Output(std::unique_ptr<Buffer> buffer, std::string name);
    std::unique_ptr<Buffer> buffer_;
    std::unique_ptr<std::ostream> stream_;
    std::string name_;  // "" for standard output
};

}  // namespace tcpsim::cli

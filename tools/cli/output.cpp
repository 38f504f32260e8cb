#include "output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace tcpsim::cli {

// A write buffer over a file descriptor; the first failure's errno is kept and every
// later write fails too.
class Output::Buffer final : public std::streambuf {
public:
    Buffer(int fd, bool owned, int open_error) : fd_(fd), owned_(owned), error_(open_error) {
        setp(data_.data(), data_.data() + data_.size());
    }
    ~Buffer() override { finish(); }

    int error() const { return error_; }
    bool finish() {
        if (fd_ < 0) return error_ == 0;
        drain();
        if (owned_ && ::close(fd_) != 0 && error_ == 0) error_ = errno;
        fd_ = -1;
        return error_ == 0;
    }
    bool flush_now() {
        drain();
        return error_ == 0;
    }

protected:
    int_type overflow(int_type c) override {
        if (!drain()) return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    bool drain() {
        if (error_ != 0 || fd_ < 0) {
            setp(data_.data(), data_.data() + data_.size());
            return false;
        }
        const char* p = pbase();
        std::size_t left = static_cast<std::size_t>(pptr() - pbase());
        while (left > 0) {
            const ssize_t n = ::write(fd_, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                error_ = errno;
                break;
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        setp(data_.data(), data_.data() + data_.size());
        return error_ == 0;
    }

    int fd_;
    bool owned_;
    int error_;
    std::array<char, 1 << 16> data_{};
};

Output::Output(std::unique_ptr<Buffer> buffer, std::string name)
    : buffer_(std::move(buffer)), stream_(std::make_unique<std::ostream>(buffer_.get())), name_(std::move(name)) {}
Output::Output(Output&&) noexcept = default;
Output& Output::operator=(Output&&) noexcept = default;
Output::~Output() {
    if (buffer_) buffer_->finish();
}

Output Output::standard() { return Output(std::make_unique<Buffer>(STDOUT_FILENO, false, 0), ""); }

Output Output::file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return Output(std::make_unique<Buffer>(fd, true, fd < 0 ? errno : 0), path);
}

bool Output::ok() const { return buffer_->error() == 0; }

bool Output::close() {
    stream_->flush();
    return name_.empty() ? buffer_->flush_now() : buffer_->finish();
}

std::string Output::error_message() const {
    const std::string what = name_.empty() ? "output" : name_;
    return "cannot write " + what + ": " + std::strerror(buffer_->error());
}

}  // namespace tcpsim::cli

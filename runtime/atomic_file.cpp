#include "runtime/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace wlg::runtime {

namespace {

std::string errno_text(const char* what, const std::string& path) {
  return std::string{what} + " " + path + ": " + std::strerror(errno);
}

// Closes a descriptor when it goes out of scope.
struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file to replace: `path` itself, or what it points to when it is a
// symlink (the citus image links $PGDATA/pg_worker_list.conf to /etc/citus).
std::string target_of(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_symlink(path, ec))
    return path;
  auto resolved = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : resolved.string();
}

bool holds_exactly(const std::string& path, std::string_view content) {
  fd_guard file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0)
    return false;
  struct stat info {};
  if (::fstat(file.fd, &info) != 0 || static_cast<std::size_t>(info.st_size) != content.size())
    return false;
  std::string existing(content.size(), '\0');
  std::size_t done = 0;
  while (done < existing.size()) {
    const auto n = ::read(file.fd, existing.data() + done, existing.size() - done);
    if (n <= 0)
      return false;
    done += static_cast<std::size_t>(n);
  }
  return existing == content;
}

bool write_all(int fd, std::string_view content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

std::string temporary_prefix(const std::string& path) {
  return "." + base_name_of(path) + ".wlg-tmp.";
}

result<write_outcome, std::string> replace_file_atomically(const std::string& path,
                                                           std::string_view content, bool force) {
  const std::string target = target_of(path);
  if (!force && holds_exactly(target, content))
    return write_outcome::unchanged;

  const std::string dir = directory_of(target);
  std::string temp = dir + "/" + temporary_prefix(target) + "XXXXXX";
  fd_guard file{::mkostemp(temp.data(), O_CLOEXEC)};
  if (file.fd < 0)
    return fail(errno_text("cannot create a temporary file in", dir));

  mode_t mode = 0644;
  struct stat existing {};
  const bool had_file = ::stat(target.c_str(), &existing) == 0;
  if (had_file)
    mode = existing.st_mode & 07777;
  auto abandon = [&](const char* what) {
    auto message = errno_text(what, temp);
    ::unlink(temp.c_str());
    return message;
  };
  if (!write_all(file.fd, content))
    return fail(abandon("cannot write"));
  if (::fchmod(file.fd, mode) != 0)
    return fail(abandon("cannot set the mode of"));
  if (had_file && (existing.st_uid != ::geteuid() || existing.st_gid != ::getegid()))
    (void)::fchown(file.fd, existing.st_uid, existing.st_gid); // best effort: needs privilege
  if (::fsync(file.fd) != 0)
    return fail(abandon("cannot fsync"));
  if (::close(file.fd) != 0) {
    file.fd = -1;
    return fail(abandon("cannot close"));
  }
  file.fd = -1;
  if (::rename(temp.c_str(), target.c_str()) != 0)
    return fail(abandon("cannot rename into place"));

  // The rename is durable only once the directory entry is on disk.
  fd_guard directory{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (directory.fd < 0 || ::fsync(directory.fd) != 0)
    return fail(errno_text("wrote the file but cannot fsync its directory", dir));
  return write_outcome::written;
}

result<std::optional<std::string>, std::string> read_current_content(const std::string& path) {
  const std::string target = target_of(path);
  fd_guard file{::open(target.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    if (errno == ENOENT)
      return std::optional<std::string>{};
    return fail(errno_text("cannot open", target));
  }
  std::string content;
  char buffer[64 * 1024];
  for (;;) {
    const auto n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail(errno_text("cannot read", target));
    if (n == 0)
      break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>{std::move(content)};
}

result<bool, std::string> remove_written_file(const std::string& path) {
  const std::string target = target_of(path);
  if (::unlink(target.c_str()) != 0 && errno != ENOENT)
    return fail(errno_text("cannot remove", target));
  return true;
}

bool file_holds(const std::string& path, std::string_view content) {
  return holds_exactly(target_of(path), content);
}

std::size_t remove_stale_temporaries(const std::string& path) {
  const std::string target = target_of(path);
  const std::string dir = directory_of(target);
  const std::string prefix = temporary_prefix(target);
  std::size_t removed = 0;
  DIR* listing = ::opendir(dir.c_str());
  if (!listing)
    return 0;
  while (dirent* entry = ::readdir(listing)) {
    const std::string_view name{entry->d_name};
    if (name.substr(0, prefix.size()) == prefix
        && ::unlinkat(::dirfd(listing), entry->d_name, 0) == 0)
      ++removed;
  }
  ::closedir(listing);
  return removed;
}

} // namespace wlg::runtime

// The corpus replay of a fuzz target, for the ordinary builds (GCC, no
// libFuzzer): runs LLVMFuzzerTestOneInput once on every file named, or on
// every file of every directory named. CTest runs it over the committed seed
// corpus (label `fuzz`), so a seed that once crashed keeps being checked in
// every build, sanitized ones included.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_file(const std::filesystem::path& path) {
  std::string bytes(std::filesystem::file_size(path), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::vector<std::filesystem::path> paths;
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) paths.push_back(entry.path());
      }
    } else {
      paths.push_back(arg);
    }
    for (const auto& path : paths) {
      run_file(path);
      ++files;
    }
  }
  if (files == 0) {
    std::cerr << "replay: no input files\n";
    return 1;
  }
  std::cout << "replay: " << files << " inputs, no crash\n";
  return 0;
}

// The fields of one ISO 8583 message, as a flat table: a presence bitmap, one slot per
// field number (offset and size into one byte buffer). Unpacking a message costs one
// allocation for all its fields instead of one tree node and one string per field, and
// iteration runs in field-number order, which is wire order.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace paygate::protocol::iso8583 {

class Fields {
 public:
  static constexpr int max_field = 128;

  struct Field {
    int number;
    std::string_view value;
  };

  Fields() = default;
  Fields(std::initializer_list<std::pair<int, std::string_view>> fields) {
    for (const auto& [number, value] : fields) set(number, value);
  }

  // Field numbers outside 1..128 are never present (set() ignores them: a spec cannot
  // name them, so pack() refuses such messages before they could be stored).
  bool contains(int number) const { return in_range(number) && (present_[word(number)] >> bit(number)) & 1; }
  // The value, or an empty view when absent (check contains() where absence matters).
  std::string_view get(int number) const { return contains(number) ? value_of(number) : std::string_view{}; }
  void set(int number, std::string_view value) {
    if (!in_range(number)) return;
    Slot& s = slots_[static_cast<std::size_t>(number)];
    s.offset = static_cast<std::uint32_t>(data_.size());
    s.size = static_cast<std::uint32_t>(value.size());
    data_.append(value);
    present_[word(number)] |= std::uint64_t{1} << bit(number);
  }
  // Appends the value in place: `write(buffer)` appends the bytes to `buffer` and returns
  // false to abandon (the field stays as it was). Lets a decoder write without a temporary.
  template <class Write>
  bool set_with(int number, Write&& write) {
    if (!in_range(number)) return false;
    const std::size_t start = data_.size();
    if (!write(data_)) {
      data_.resize(start);
      return false;
    }
    Slot& s = slots_[static_cast<std::size_t>(number)];
    s.offset = static_cast<std::uint32_t>(start);
    s.size = static_cast<std::uint32_t>(data_.size() - start);
    present_[word(number)] |= std::uint64_t{1} << bit(number);
    return true;
  }
  // For a decoder: keeps a copy of the message as received, so that fields whose wire
  // bytes are their content (ASCII, binary) become slices of it (set_slice) instead of
  // one copy each. `extra` reserves room for fields that must be decoded (BCD, EBCDIC).
  // Returns the offset of the copy within the buffer.
  std::size_t keep_wire_copy(std::string_view wire, std::size_t extra) {
    data_.reserve(data_.size() + wire.size() + extra);
    const std::size_t at = data_.size();
    data_.append(wire);
    return at;
  }
  // Marks `number` present with the value at [offset, offset + size) of the buffer (a
  // slice of the wire copy).
  void set_slice(int number, std::size_t offset, std::size_t size) {
    if (!in_range(number) || offset + size > data_.size()) return;
    Slot& s = slots_[static_cast<std::size_t>(number)];
    s.offset = static_cast<std::uint32_t>(offset);
    s.size = static_cast<std::uint32_t>(size);
    present_[word(number)] |= std::uint64_t{1} << bit(number);
  }
  void erase(int number) {
    if (in_range(number)) present_[word(number)] &= ~(std::uint64_t{1} << bit(number));
  }
  // Presence as two 64-bit words, bit k of word w for field 64*w + k + 1: the shape of
  // the ISO 8583 primary and secondary bitmaps, so pack() derives them without a loop.
  const std::array<std::uint64_t, 2>& presence() const { return present_; }
  std::size_t size() const {
    return static_cast<std::size_t>(std::popcount(present_[0]) + std::popcount(present_[1]));
  }
  bool empty() const { return size() == 0; }
  // An upper bound of the bytes the present values hold (replaced values count too).
  std::size_t payload_bytes() const { return data_.size(); }
  void reserve(std::size_t bytes) { data_.reserve(bytes); }

  class iterator {
   public:
    Field operator*() const { return Field{number_, fields_->value_of(number_)}; }
    iterator& operator++() {
      number_ = fields_->next_after(number_);
      return *this;
    }
    bool operator==(const iterator& other) const { return number_ == other.number_; }

   private:
    friend class Fields;
    iterator(const Fields* fields, int number) : fields_(fields), number_(number) {}
    const Fields* fields_;
    int number_;
  };
  iterator begin() const { return iterator(this, next_after(0)); }
  iterator end() const { return iterator(this, max_field + 1); }

  friend bool operator==(const Fields& a, const Fields& b) {
    if (a.present_ != b.present_) return false;
    for (auto [number, value] : a) {
      if (b.get(number) != value) return false;
    }
    return true;
  }

 private:
  struct Slot {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  std::string_view value_of(int number) const {  // number is present
    const Slot& s = slots_[static_cast<std::size_t>(number)];
    return std::string_view(data_.data() + s.offset, s.size);
  }
  static bool in_range(int number) { return number >= 1 && number <= max_field; }
  static std::size_t word(int number) { return static_cast<std::size_t>((number - 1) / 64); }
  static int bit(int number) { return (number - 1) % 64; }
  int next_after(int number) const {
    for (int n = number + 1; n <= max_field;) {
      const std::uint64_t rest = present_[word(n)] >> bit(n);
      if (rest != 0) return n + std::countr_zero(rest);
      n = (n - 1) / 64 * 64 + 65;  // first field of the next word
    }
    return max_field + 1;
  }

  std::array<std::uint64_t, 2> present_{};
  std::array<Slot, max_field + 1> slots_{};
  std::string data_;  // values of set() fields; replaced values leave unreferenced bytes
};

}  // namespace paygate::protocol::iso8583

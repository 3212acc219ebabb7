#pragma once

// A value or an error, for crossing module boundaries without exceptions.
// (std::expected arrives with C++23; the project is C++20.)

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace wlg {

template <class E>
struct failure {
  E error;
};

template <class E>
failure<std::decay_t<E>> fail(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E>
class result {
public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  template <class U>
    requires std::is_constructible_v<E, U>
  result(failure<U> f) : state_(std::in_place_index<1>, E(std::move(f.error))) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(state_); }
  const T& value() const& { assert(has_value()); return std::get<0>(state_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(state_)); }
  const E& error() const { assert(!has_value()); return std::get<1>(state_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

private:
  std::variant<T, E> state_;
};

} // namespace wlg

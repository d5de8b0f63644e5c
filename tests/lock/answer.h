// Answer<T> — catches the one answer a recipe gives to a callback, so that
// a test can check it after port.deliver().
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "lock/error.h"

namespace etcetera::lock::test {

template <class T>
struct Answer {
  std::optional<Result<T>> got;
  int count = 0;  // answers are given once: a test can check it

  std::function<void(Result<T>)> sink() {
    return [this](Result<T> r) {
      got = std::move(r);
      ++count;
    };
  }
  bool answered() const { return got.has_value(); }
  // The value, failing the test (with the error's message) if there is none.
  decltype(auto) value() const {
    REQUIRE(got.has_value());
    if (!got->has_value()) FAIL("expected a value, got: " << got->error().message);
    return **got;
  }
  const Error& error() const {
    REQUIRE(got.has_value());
    REQUIRE_FALSE(got->has_value());
    return got->error();
  }
};

// The code of a Result<void> that should be an error.
inline Error::Code code_of(const Result<void>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace etcetera::lock::test

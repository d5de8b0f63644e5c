// lock::Lifetime — keeps callbacks from reaching an object that is gone.
//
// A recipe hands the port callbacks that point back at itself, and the port
// may hold them after the recipe is destroyed (a request in flight, a watch
// event queued). Each recipe owns a Lifetime and wraps every callback in
// guard(): once the Lifetime is destroyed the wrapped callback does nothing.
// This is the one place the recipes deal with object lifetimes, so that none
// of them needs reference counting of its own.
//
// The owner must not be copied or moved (its callbacks hold its address);
// the recipes delete both.
#pragma once

#include <memory>
#include <utility>

namespace etcetera::lock {

class Lifetime {
 public:
  // `f`, called only while this Lifetime exists.
  template <class F>
  auto guard(F f) const {
    return [alive = std::weak_ptr<const int>(token_), f = std::move(f)](const auto&... args) {
      if (!alive.expired()) f(args...);
    };
  }

 private:
  std::shared_ptr<const int> token_ = std::make_shared<const int>(0);
};

}  // namespace etcetera::lock
